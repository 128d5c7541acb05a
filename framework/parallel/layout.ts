import { ConfigError } from '../errors.js';

/** Where each parameter lives in the flat shared buffers. */
export interface ParamLayout {
  names: string[];
  shapes: number[][];
  offsets: number[];
  total: number;
}

export function makeLayout(entries: { name: string; shape: number[] }[]): ParamLayout {
  const offsets: number[] = [];
  let total = 0;
  for (const e of entries) {
    offsets.push(total);
    total += e.shape.reduce((a, b) => a * b, 1);
  }
  return { names: entries.map((e) => e.name), shapes: entries.map((e) => [...e.shape]), offsets, total };
}

/** Throws unless two layouts describe the same parameters (a replica built differently from the coordinator's). */
export function assertSameLayout(a: ParamLayout, b: ParamLayout, where: string): void {
  if (
    a.total !== b.total ||
    a.names.length !== b.names.length ||
    a.names.some((n, i) => n !== b.names[i] || a.shapes[i]!.join() !== b.shapes[i]!.join())
  ) {
    const i = a.names.findIndex((n, j) => n !== b.names[j] || a.shapes[j]!.join() !== b.shapes[j]?.join());
    throw new ConfigError(
      `${where}: replica parameters differ from the coordinator's ` +
        `(first difference at #${i}: ${a.names[i]} [${a.shapes[i]}] vs ${b.names[i]} [${b.shapes[i]}])`,
    );
  }
}
