/**
 * An entity lexicon applied after tagging: strings known to be entities of one type. Where the tagger found a span
 * whose text is in the lexicon, the lexicon's type wins; where the lexicon's string occurs on characters that are free
 * or covered by whole tagged spans, it becomes an entity in their place (longest strings first, never cutting a span).
 * A bundle may ship one (`lexicon.tsv`: the recipe builds it from its training entities, {@link buildLexicon}), and a
 * user adds theirs through Taskflow's `userDict` (`实体/类型` lines, as PaddleNLP's Taskflow takes a user dictionary).
 */
import { readFileSync } from 'node:fs';
import { writeFileAtomic } from '../../../framework/checkpoint/atomic.js';
import { BundleError, ConfigError } from '../../../framework/errors.js';
import type { NerExample } from './cluener.js';

/** The lexicon's file name in a bundle directory. */
export const LEXICON_FILE = 'lexicon.tsv';
const HEADER = '#fewprompt-entity-lexicon v1';

/** Which training entities enter a built lexicon. */
export interface LexiconRule {
  /** Strings shorter than this (characters) are left out: one character is rarely an entity on its own. */
  readonly minChars: number;
  /** The string's most frequent type must have at least this share of its labelled occurrences. */
  readonly minPurity: number;
  /** Of the string's occurrences in the training texts, at least this share must be labelled as an entity. */
  readonly minEntityRate: number;
}

/** The rule the recipe builds the shipped lexicon with (chosen on half of CLUENER dev; the model card). */
export const LEXICON_RULE: LexiconRule = { minChars: 2, minPurity: 0.9, minEntityRate: 0.2 };

/** A span with a type, in code points. */
export interface TypedSpan {
  readonly start: number;
  readonly end: number;
  readonly type: string;
}

/** A string → type table, applied to tagged spans. */
export class EntityLexicon {
  /** Every prefix of every string: a scan stops as soon as what it read leads to no string. */
  private readonly prefixes = new Set<string>();

  constructor(private readonly entries: ReadonlyMap<string, string>) {
    for (const text of entries.keys()) {
      let prefix = '';
      for (const c of text) this.prefixes.add((prefix += c));
    }
  }

  /** Strings in the lexicon. */
  get size(): number {
    return this.entries.size;
  }

  /** The type of a string, if the lexicon has it. */
  typeOf(text: string): string | undefined {
    return this.entries.get(text);
  }

  /** This lexicon with `other`'s entries added; `other` wins where both have a string. */
  merge(other: EntityLexicon): EntityLexicon {
    return new EntityLexicon(new Map([...this.entries, ...other.entries]));
  }

  /**
   * Spans after the lexicon: tagged spans whose text it has take its type; then its strings become entities where
   * they cover only free characters and whole tagged spans, which they replace (a tagger's `上` inside `上海`);
   * longest first, then leftmost; a string never cuts a tagged span. Sorted by start.
   * @example new EntityLexicon(new Map([['王者荣耀', 'game']])).apply([...'玩王者荣耀'], [{ start: 1, end: 3, type: 'name' }]);
   * // → [{ start: 1, end: 5, type: 'game' }]
   */
  apply(chars: readonly string[], spans: readonly TypedSpan[]): TypedSpan[] {
    const out: (TypedSpan | undefined)[] = spans.map((s) => {
      const type = this.entries.get(chars.slice(s.start, s.end).join(''));
      return type === undefined ? s : { ...s, type };
    });
    // The span (index into out) on each character, -1 where none.
    const owner = new Int32Array(chars.length).fill(-1);
    out.forEach((s, i) => owner.fill(i, s!.start, s!.end));
    const found: TypedSpan[] = [];
    for (let start = 0; start < chars.length; start++) {
      let text = '';
      for (let end = start + 1; end <= chars.length; end++) {
        text += chars[end - 1];
        if (!this.prefixes.has(text)) break;
        const type = this.entries.get(text);
        if (type !== undefined) found.push({ start, end, type });
      }
    }
    found.sort((a, b) => b.end - b.start - (a.end - a.start) || a.start - b.start);
    for (const s of found) {
      const covered = new Set([...owner.subarray(s.start, s.end)].filter((i) => i >= 0));
      const whole = [...covered].every((i) => out[i]!.start >= s.start && out[i]!.end <= s.end);
      if (!whole) continue;
      for (const i of covered) out[i] = undefined;
      owner.fill(out.length, s.start, s.end);
      out.push(s);
    }
    return out.filter((s): s is TypedSpan => s !== undefined).sort((a, b) => a.start - b.start);
  }

  /** Writes `text<TAB>type` lines. */
  save(file: string): void {
    const lines = [...this.entries].map(([text, type]) => `${text}\t${type}`);
    writeFileAtomic(file, [new TextEncoder().encode(`${HEADER}\n${lines.join('\n')}\n`)]);
  }

  /** Reads a saved lexicon; a line that is not `text<TAB>type` is a BundleError naming the file and line. */
  static load(file: string): EntityLexicon {
    const lines = readFileSync(file, 'utf8').split('\n');
    if (lines[0] !== HEADER) throw new BundleError(`${file}:1: expected '${HEADER}', got '${lines[0]?.slice(0, 40)}'`);
    const entries = new Map<string, string>();
    lines.slice(1).forEach((line, i) => {
      if (line === '') return;
      const [text, type, extra] = line.split('\t');
      if (!text || !type || extra !== undefined)
        throw new BundleError(`${file}:${i + 2}: expected 'text<TAB>type', got '${line.slice(0, 40)}'`);
      entries.set(text, type);
    });
    return new EntityLexicon(entries);
  }

  /**
   * A user dictionary: `实体/类型` lines (a file path or the lines; blank lines and `#` comments skipped), each type
   * one of `types`. A bad line is a ConfigError naming the file (or `userDict`) and line.
   * @example EntityLexicon.fromUserDict(['王者荣耀/game'], ['game', 'name']).typeOf('王者荣耀'); // → 'game'
   */
  static fromUserDict(source: string | readonly string[], types: readonly string[]): EntityLexicon {
    const where = typeof source === 'string' ? source : 'userDict';
    const lines = typeof source === 'string' ? readUserDict(source) : source;
    const entries = new Map<string, string>();
    lines.forEach((raw, i) => {
      const line = raw.trim();
      if (line === '' || line.startsWith('#')) return;
      const slash = line.lastIndexOf('/');
      const [text, type] = [line.slice(0, slash).trim(), line.slice(slash + 1).trim()];
      if (slash <= 0 || text === '' || !types.includes(type))
        throw new ConfigError(
          `${where}:${i + 1}: expected '实体/类型' with a type of ${types.join(', ')}; got '${line.slice(0, 40)}'`,
        );
      entries.set(text, type);
    });
    return new EntityLexicon(entries);
  }
}

function readUserDict(file: string): string[] {
  try {
    return readFileSync(file, 'utf8').split('\n');
  } catch (error) {
    throw new ConfigError(`userDict: cannot read ${file} (${(error as Error).message})`);
  }
}

/**
 * A lexicon of training entities: each labelled string of at least `minChars` characters whose most frequent type has
 * `minPurity` of its labels and that is labelled in `minEntityRate` of its occurrences in the training texts (so 中国,
 * inside many company names, is not forced where the tagger saw a company).
 * @example buildLexicon(loadCluener('../shared/ner/cluener_train.json')).size; // → 8,815 (the shipped lexicon)
 */
export function buildLexicon(examples: readonly NerExample[], rule: LexiconRule = LEXICON_RULE): EntityLexicon {
  const labels = new Map<string, Map<string, number>>();
  for (const ex of examples) {
    const chars = [...ex.text];
    for (const e of ex.entities) {
      if (e.end - e.start < rule.minChars) continue;
      const text = chars.slice(e.start, e.end).join('');
      const byType = labels.get(text) ?? new Map<string, number>();
      byType.set(e.type, (byType.get(e.type) ?? 0) + 1);
      labels.set(text, byType);
    }
  }
  // Every occurrence of a labelled string in the training texts, labelled or not.
  const longest = Math.max(0, ...[...labels.keys()].map((s) => [...s].length));
  const occurrences = new Map<string, number>();
  for (const ex of examples) {
    const chars = [...ex.text];
    for (let start = 0; start < chars.length; start++)
      for (let end = start + rule.minChars; end <= Math.min(chars.length, start + longest); end++) {
        const text = chars.slice(start, end).join('');
        if (labels.has(text)) occurrences.set(text, (occurrences.get(text) ?? 0) + 1);
      }
  }
  const entries = new Map<string, string>();
  for (const [text, byType] of labels) {
    const total = [...byType.values()].reduce((a, b) => a + b, 0);
    const [type, top] = [...byType].sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1))[0]!;
    const rate = total / Math.max(total, occurrences.get(text) ?? 0);
    if (top / total >= rule.minPurity && rate >= rule.minEntityRate) entries.set(text, type);
  }
  return new EntityLexicon(entries);
}
