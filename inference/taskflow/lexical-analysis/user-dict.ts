/**
 * LAC's user dictionary ("customisation"): one item per line, pieces separated by whitespace,
 * each piece optionally `/TAG`, e.g. `春天/SEASON`, `花 开/v`, `三亚市`. A matched item is forced
 * to be one word per piece; a piece with a tag takes that tag, one without keeps the model's tag.
 * Matching is leftmost-longest over the text, non-overlapping, as LAC's AC-automaton post-pass.
 */
import { readFileSync } from 'node:fs';
import { DataError } from '../../../framework/errors.js';

/** One dictionary item: its characters and, per piece, the end offset and optional tag. */
export interface UserDictItem {
  readonly phrase: string;
  readonly pieces: readonly { readonly end: number; readonly tag?: string }[];
}

interface TrieNode {
  readonly next: Map<string, TrieNode>;
  item?: UserDictItem;
}

function collect(node: TrieNode, out: UserDictItem[]): UserDictItem[] {
  if (node.item) out.push(node.item);
  for (const child of node.next.values()) collect(child, out);
  return out;
}

/** A compiled user dictionary. */
export class UserDict {
  private readonly root: TrieNode = { next: new Map() };
  readonly size: number;

  /**
   * @param lines dictionary lines (blank lines and lines starting with `#` are skipped)
   * @example
   * new UserDict(['三亚市/LOC', '美丽 的']).size; // 2
   */
  constructor(lines: readonly string[], source = 'user dictionary') {
    let size = 0;
    lines.forEach((line, index) => {
      const item = parseLine(line, `${source}:${index + 1}`);
      if (!item) return;
      let node = this.root;
      for (const ch of Array.from(item.phrase)) {
        let child = node.next.get(ch);
        if (!child) {
          child = { next: new Map() };
          node.next.set(ch, child);
        }
        node = child;
      }
      if (!node.item) size++;
      node.item = item;
    });
    this.size = size;
  }

  /**
   * Every item, in trie order.
   * @example
   * new UserDict(['三亚市/LOC']).items(); // [{ phrase: '三亚市', pieces: [{ end: 3, tag: 'LOC' }] }]
   */
  items(): UserDictItem[] {
    return collect(this.root, []);
  }

  /**
   * Reads a dictionary file (UTF-8, one item per line).
   * @example
   * UserDict.fromFile('my.dic').size; // 2
   */
  static fromFile(path: string): UserDict {
    let text: string;
    try {
      text = readFileSync(path, 'utf8');
    } catch (error) {
      throw new DataError(`cannot read user dictionary ${path}: ${(error as Error).message}`);
    }
    return new UserDict(text.split(/\r?\n/), path);
  }

  /**
   * Leftmost-longest non-overlapping matches in `chars`: `[start, item]` pairs.
   * @example
   * new UserDict(['美丽 的']).match([...'三亚美丽的']); // [[2, { phrase: '美丽的', pieces: [{ end: 2 }, { end: 3 }] }]]
   */
  match(chars: readonly string[]): [number, UserDictItem][] {
    const out: [number, UserDictItem][] = [];
    let i = 0;
    while (i < chars.length) {
      let node: TrieNode | undefined = this.root;
      let found: UserDictItem | undefined;
      for (let j = i; j < chars.length; j++) {
        node = node.next.get(chars[j]!);
        if (!node) break;
        if (node.item) found = node.item;
      }
      if (found) {
        out.push([i, found]);
        i += Array.from(found.phrase).length;
      } else i++;
    }
    return out;
  }

  /**
   * Rewrites per-character LAC tags (`TYPE-B` / `TYPE-I`, `O`) in place so every match becomes
   * one word per piece. Entries of `tags` that are `undefined` (whitespace) are never matched.
   */
  apply(chars: readonly string[], tags: (string | undefined)[]): void {
    for (const [start, item] of this.match(chars)) {
      let from = 0;
      for (const piece of item.pieces) {
        for (let k = from; k < piece.end; k++) {
          const own = tags[start + k] ?? 'O';
          const type = piece.tag ?? (k === from ? typeOf(own) : typeOf(tags[start + from] ?? 'O'));
          tags[start + k] = `${type}-${k === from ? 'B' : 'I'}`;
        }
        from = piece.end;
      }
    }
  }
}

/** The type part of a LAC tag: `LOC-B` → `LOC`, `O` → `O`. */
export function typeOf(tag: string): string {
  const dash = tag.lastIndexOf('-');
  return dash < 0 ? tag : tag.slice(0, dash);
}

function parseLine(line: string, where: string): UserDictItem | undefined {
  const trimmed = line.trim();
  if (trimmed === '' || trimmed.startsWith('#')) return undefined;
  const pieces: { end: number; tag?: string }[] = [];
  let phrase = '';
  for (const token of trimmed.split(/\s+/)) {
    const slash = token.lastIndexOf('/');
    const word = slash >= 1 ? token.slice(0, slash) : token;
    const tag = slash >= 1 && slash < token.length - 1 ? token.slice(slash + 1) : undefined;
    if (tag !== undefined && !/^[A-Za-z_][\w]*$/.test(tag))
      throw new DataError(`${where}: tag '${tag}' in '${token}' must be letters, digits or _ (e.g. LOC, n, SEASON)`);
    phrase += word;
    pieces.push(tag ? { end: Array.from(phrase).length, tag } : { end: Array.from(phrase).length });
  }
  // LAC ignores a one-character item without a tag: it would change nothing.
  if (Array.from(phrase).length < 2 && pieces[0]!.tag === undefined) return undefined;
  return { phrase, pieces };
}
