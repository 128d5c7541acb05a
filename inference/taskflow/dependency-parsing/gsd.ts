/**
 * UD Chinese GSD for the parser: the v2.0 training set is in Traditional script and uses the v2.0
 * relation inventory; GSDSimp (dev) is Simplified and uses the later revision. Training forms are
 * converted word by word with OpenCC (`tw` → `cn`), and relations renamed where the revision only
 * renamed them (see {@link harmonizeRelation}); heads are kept as annotated.
 */
import * as OpenCC from 'opencc-js';
import type { ConlluSentence, ConlluWord } from './conllu.js';

/** UD v2.0 GSD relation → the GSDSimp name, where the revision only renamed it. */
export const RELATION_RENAMES: Readonly<Record<string, string>> = {
  dobj: 'obj',
  nsubjpass: 'nsubj:pass',
  csubjpass: 'csubj:pass',
  auxpass: 'aux:pass',
  foreign: 'flat:foreign',
  neg: 'advmod',
  'case:dec': 'case',
  'case:aspect': 'aux',
  // UD_Chinese-GSD v2.8's changelog: "Undocumented relation subtypes case:pref and case:suff changed to case".
  'case:suff': 'case',
  'case:pref': 'case',
};

/**
 * A v2.0 relation in GSDSimp's names: the renames above, and relative-clause 的 (labelled
 * `acl:relcl` on the particle itself in v2.0) as `mark:rel`.
 * @example
 * harmonizeRelation({ form: '的', upos: 'PART', head: 3, deprel: 'acl:relcl' }); // 'mark:rel'
 */
export function harmonizeRelation(word: ConlluWord): string {
  if (word.deprel === 'acl:relcl' && word.upos === 'PART' && word.form === '的') return 'mark:rel';
  return RELATION_RENAMES[word.deprel] ?? word.deprel;
}

/** Traditional → Simplified for each word form (same word boundaries), relations harmonised. */
export function simplifyTraining(sentences: readonly ConlluSentence[]): ConlluSentence[] {
  const convert = OpenCC.Converter({ from: 'tw', to: 'cn' });
  return sentences.map((s) => ({
    id: s.id,
    words: s.words.map((w) => ({
      ...w,
      form: convert(w.form),
      deprel: harmonizeRelation({ ...w, form: convert(w.form) }),
    })),
  }));
}
