import { afterAll, test } from 'vitest';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BundleError, ConfigError } from '../../../framework/errors.js';
import type { NerExample } from './cluener.js';
import { buildLexicon, EntityLexicon } from './lexicon.js';

const root = mkdtempSync(join(tmpdir(), 'fewprompt-lexicon-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

/** An example whose entities are given as [string, type] and found by their first occurrence. */
function example(id: number, text: string, entities: [string, string][]): NerExample {
  return {
    id,
    text,
    entities: entities.map(([s, type]) => {
      const start = [...text.slice(0, text.indexOf(s))].length;
      return { start, end: start + [...s].length, type };
    }),
  };
}

test('buildLexicon: long enough, of one type, labelled often enough where it occurs', () => {
  const examples = [
    example(0, '我在玩王者荣耀', [['王者荣耀', 'game']]),
    example(1, '王者荣耀很火', [['王者荣耀', 'game']]),
    example(2, '中国银行在北京', [
      ['中国银行', 'company'],
      ['北京', 'address'],
    ]),
    example(3, '中国很大，北京也大', [['中国', 'address']]),
    example(4, '中国人来了', []),
    example(5, '中国队赢了', []),
    example(6, '中国菜好吃', []),
    example(7, '中国的茶', []),
    example(8, '苹果很甜', [['苹果', 'company']]),
    example(9, '苹果公司', [['苹果', 'company']]),
    example(10, '买苹果', [['苹果', 'name']]),
    example(11, '张三', [['张', 'name']]),
  ];
  const lex = buildLexicon(examples, { minChars: 2, minPurity: 0.9, minEntityRate: 0.2 });
  assert.equal(lex.typeOf('王者荣耀'), 'game');
  assert.equal(lex.typeOf('北京'), 'address', '1 of 2 occurrences labelled: rate 0.5');
  assert.equal(lex.typeOf('中国'), undefined, 'labelled in 1 of its 6 occurrences: rate 0.17 < 0.2');
  assert.equal(lex.typeOf('苹果'), undefined, 'company 2 of 3: purity 0.67 < 0.9');
  assert.equal(lex.typeOf('张'), undefined, 'one character');
  assert.equal(buildLexicon(examples, { minChars: 2, minPurity: 0.6, minEntityRate: 0 }).typeOf('苹果'), 'company');
});

test('apply: retypes tagged spans, then places its strings longest first on free characters and whole spans', () => {
  const lex = new EntityLexicon(
    new Map([
      ['王者荣耀', 'game'],
      ['王者', 'name'],
      ['荣耀', 'game'],
      ['北京', 'address'],
      ['北京大学', 'organization'],
    ]),
  );
  const chars = [...'北京大学生玩王者荣耀，北京'];
  // The tagged 北京 at the end is retyped; 王者荣耀 fills free characters (not 王者 or 荣耀: longest first).
  assert.deepEqual(lex.apply(chars, [{ start: 11, end: 13, type: 'company' }]), [
    { start: 0, end: 4, type: 'organization' },
    { start: 6, end: 10, type: 'game' },
    { start: 11, end: 13, type: 'address' },
  ]);
  assert.deepEqual(new EntityLexicon(new Map()).apply(chars, []), []);
  // A string replaces the tagged spans it covers whole (the tagger's 上 inside 上海, 王者 + 荣耀 as one game) …
  const shanghai = new EntityLexicon(new Map([['上海', 'address']]));
  assert.deepEqual(shanghai.apply([...'去了上海工作'], [{ start: 2, end: 3, type: 'address' }]), [
    { start: 2, end: 4, type: 'address' },
  ]);
  assert.deepEqual(
    lex.apply(
      [...'玩王者荣耀'],
      [
        { start: 1, end: 3, type: 'name' },
        { start: 3, end: 5, type: 'game' },
      ],
    ),
    [{ start: 1, end: 5, type: 'game' }],
  );
  // … but never cuts one: 上海 does not take 海 out of 海外 (a span that goes past it).
  assert.deepEqual(shanghai.apply([...'上海外滩'], [{ start: 1, end: 3, type: 'scene' }]), [
    { start: 1, end: 3, type: 'scene' },
  ]);
  assert.deepEqual(new EntityLexicon(new Map()).apply(chars, []), []);
});

test('save/load round trip; a bad line is a BundleError naming the file and line', () => {
  const file = join(root, 'lexicon.tsv');
  const lex = new EntityLexicon(new Map([['王者荣耀', 'game']]));
  lex.save(file);
  assert.equal(EntityLexicon.load(file).typeOf('王者荣耀'), 'game');
  writeFileSync(file, '#fewprompt-entity-lexicon v1\n王者荣耀\n');
  assert.throws(
    () => EntityLexicon.load(file),
    (e: Error) =>
      e instanceof BundleError && e.message.endsWith("lexicon.tsv:2: expected 'text<TAB>type', got '王者荣耀'"),
  );
});

test("a user dictionary: '实体/类型' lines, comments skipped; an unknown type is a ConfigError naming the line", () => {
  const lex = EntityLexicon.fromUserDict(['# games', '王者荣耀/game', '', ' 深 圳 / address '], ['game', 'address']);
  assert.deepEqual([lex.size, lex.typeOf('王者荣耀'), lex.typeOf('深 圳')], [2, 'game', 'address']);
  assert.throws(
    () => EntityLexicon.fromUserDict(['王者荣耀/game', '北京/LOC'], ['game', 'address']),
    (e: Error) =>
      e instanceof ConfigError &&
      /^userDict:2: expected '实体\/类型' with a type of game, address; got '北京\/LOC'$/.test(e.message),
  );
  const file = join(root, 'user.txt');
  writeFileSync(file, '腾讯/company\n');
  assert.equal(EntityLexicon.fromUserDict(file, ['company']).typeOf('腾讯'), 'company');
  assert.throws(
    () => EntityLexicon.fromUserDict(join(root, 'none.txt'), ['company']),
    /userDict: cannot read .*none\.txt/,
  );
  // The user's entries win over the bundle's.
  const merged = new EntityLexicon(new Map([['腾讯', 'game']])).merge(EntityLexicon.fromUserDict(file, ['company']));
  assert.equal(merged.typeOf('腾讯'), 'company');
});
