/**
 * Prompts of different lengths in one batch, left-padded so every row's last token sits in the last
 * column: row-major ids, a 0/1 attention mask and position ids that start at 0 at each row's first real token.
 * @example
 * leftPad([[5, 6, 7], [8]], 0);
 * // → { width: 3, ids: [5, 6, 7, 0, 0, 8], mask: [1, 1, 1, 0, 0, 1], positions: [0, 1, 2, 0, 0, 0], lengths: [3, 1] }
 */
export function leftPad(
  prompts: readonly (readonly number[])[],
  padId: number,
): { width: number; ids: Int32Array; mask: Int32Array; positions: Int32Array; lengths: number[] } {
  const width = Math.max(...prompts.map((p) => p.length));
  const ids = new Int32Array(prompts.length * width).fill(padId);
  const mask = new Int32Array(prompts.length * width);
  const positions = new Int32Array(prompts.length * width);
  prompts.forEach((p, r) => {
    const pad = width - p.length;
    p.forEach((id, j) => {
      ids[r * width + pad + j] = id;
      mask[r * width + pad + j] = 1;
      positions[r * width + pad + j] = j;
    });
  });
  return { width, ids, mask, positions, lengths: prompts.map((p) => p.length) };
}
