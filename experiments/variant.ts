/** Report names of training variants; light (no training code), so the CLI and the suite share it. */

/**
 * A method as the report shows it: `pet`, `pet+rdrop` (the same method trained with R-Drop), `pet+unlabeled`
 * (then self-trained on the task's unlabeled part, the config's `unlabeled` field), `pet+rdrop+unlabeled`.
 */
export interface Variant {
  method: string;
  rdrop: boolean;
  /** Self-training on unlabeled data; absent = false. */
  unlabeled?: boolean;
}

/**
 * A variant's report name.
 * @example variantName({ method: 'pet', rdrop: true }); // → 'pet+rdrop'
 * @example variantName({ method: 'pet', rdrop: false, unlabeled: true }); // → 'pet+unlabeled'
 */
export function variantName(v: Variant): string {
  return `${v.method}${v.rdrop ? '+rdrop' : ''}${v.unlabeled ? '+unlabeled' : ''}`;
}
