import { test } from 'vitest';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { DataError } from '../../../framework/errors.js';
import { buildMix, contaminationCheck, mixSources, type MixOptions } from './mix.js';
import { csvFields, readReviews, reviewKey } from './reviews.js';

const fixture = (name: string) => fileURLToPath(new URL(`./fixtures/${name}`, import.meta.url));
const evaluation = [...readReviews(fixture('chnsenticorp_dev.tsv')), ...readReviews(fixture('chnsenticorp_test.tsv'))];
const sources = () =>
  mixSources([
    { file: fixture('chnsenticorp_train.tsv'), holdout: false },
    { file: fixture('shopping-mini.csv'), holdout: true },
    { file: fixture('waimai-mini.csv'), holdout: true },
  ]);
const options: MixOptions = { devPerClass: 1, seed: 42 };

test('review files: the header tells TSV, label,review, cat,label,review; quotes; a bad label names its line', () => {
  assert.deepEqual(readReviews(fixture('chnsenticorp_test.tsv'))[0], {
    text: '这个宾馆比较陈旧了，特价的房间也很一般。总体来说一般',
    label: 1,
    source: 'chnsenticorp_test',
  });
  const shopping = readReviews(fixture('shopping-mini.csv'));
  assert.deepEqual(shopping[9], {
    text: '有一半是烂的,"坏果"包赔也不理人。',
    label: 0,
    source: 'shopping-mini',
    category: '水果',
  });
  assert.equal(readReviews(fixture('waimai-mini.csv')).at(-1)!.text, '味道不错,下次还点');
  assert.deepEqual(csvFields('1,"a,b",""""'), ['1', 'a,b', '"']);
  const dir = mkdtempSync(join(tmpdir(), 'sentiment-reviews-'));
  writeFileSync(join(dir, 'bad.csv'), 'label,review\n1,好\n2,差\n');
  assert.throws(
    () => readReviews(join(dir, 'bad.csv')),
    (e: Error) =>
      e instanceof DataError && /bad\.csv:3: expected a 0\/1 label and a text, got label '2'/.test(e.message),
  );
  writeFileSync(join(dir, 'noheader.csv'), '1,好\n');
  assert.throws(() => readReviews(join(dir, 'noheader.csv')), /noheader\.csv:1: header '1,好' names no label/);
});

test('keys ignore width, spacing, punctuation; contamination: equal, a shared run, or one inside the other', () => {
  assert.equal(reviewKey(' 房间 很干净！\uFEFF OK。'), '房间很干净ok');
  const seen = contaminationCheck(evaluation.map((r) => r.text));
  assert.ok(seen('这个宾馆比较陈旧了，特价的房间也很一般。总体来说一般'), 'the same text');
  assert.ok(seen('空调坏了两天都没有人来修, 非常失望.'), 'punctuated otherwise');
  assert.ok(seen('开机就蓝屏，客服一直推脱责任，太糟糕了。第二天又坏了'), 'a short review held whole in a longer one');
  assert.ok(seen('这个宾馆比较陈旧了，特价的房间也很一般'), 'cut short');
  assert.ok(seen('前面加一句话。这个宾馆比较陈旧了，特价的房间也很一般。总体来说还行'), 'a run of 20 characters');
  assert.ok(!seen('宾馆比较陈旧'), 'a piece under 10 characters is not the review');
  assert.ok(!seen('房间干净整洁，服务员态度很好，下次还会再来。'));
});

test('the mix: deduplicated, decontaminated, a dev slice held out per source, each source balanced', () => {
  const mix = buildMix(
    sources(),
    evaluation.map((r) => r.text),
    options,
  );
  assert.deepEqual(mix.counts['chnsenticorp_train'], {
    read: 9,
    tooShort: 0,
    conflicting: 0,
    duplicate: 1,
    contaminated: 0,
    heldOut: [0, 0],
    balancedAway: 0,
    used: [4, 4],
  });
  // 好 is too short; 橙子汁多 has both labels; 面料舒服 twice and a ChnSentiCorp train review are duplicates; a test
  // review, a dev review punctuated otherwise and a longer copy of a test review are contaminated.
  assert.deepEqual(mix.counts['shopping-mini'], {
    read: 16,
    tooShort: 1,
    conflicting: 2,
    duplicate: 2,
    contaminated: 3,
    heldOut: [1, 1],
    balancedAway: 2,
    used: [2, 2],
  });
  assert.deepEqual(mix.counts['waimai-mini']!.used, [2, 2]);
  assert.deepEqual(mix.counts['waimai-mini']!.heldOut, [1, 1]);
  assert.equal(mix.train.length, 16);
  for (const source of ['chnsenticorp_train', 'shopping-mini', 'waimai-mini']) {
    const own = mix.train.filter((r) => r.source === source);
    assert.equal(own.filter((r) => r.label === 1).length * 2, own.length, `${source} is balanced`);
  }
  const seen = contaminationCheck(evaluation.map((r) => r.text));
  const everything = [...mix.train, ...Object.values(mix.dev).flat()];
  assert.ok(!everything.some((r) => seen(r.text)), 'no ChnSentiCorp dev or test review anywhere in the mix');
  assert.equal(new Set(everything.map((r) => reviewKey(r.text))).size, everything.length, 'no review twice');
  assert.deepEqual(Object.keys(mix.dev), ['shopping-mini', 'waimai-mini']);
  assert.deepEqual(
    mix.dev['waimai-mini']!.map((r) => r.label),
    [0, 1],
  );
  // The same seed draws the same mix; maxPerSource caps each source (half of each class).
  assert.deepEqual(
    buildMix(
      sources(),
      evaluation.map((r) => r.text),
      options,
    ),
    mix,
  );
  const capped = buildMix(
    sources(),
    evaluation.map((r) => r.text),
    { ...options, maxPerSource: 2 },
  );
  assert.deepEqual(capped.counts['shopping-mini']!.used, [1, 1]);
  assert.equal(capped.counts['shopping-mini']!.balancedAway, 4);
});

test('shared data, when present: no ChnSentiCorp dev/test review in the mix, each source balanced', (ctx) => {
  const shared = '../shared';
  if (!existsSync(join(shared, 'corpora/waimai_10k.csv'))) ctx.skip(`${shared} not present (not part of a clone)`);
  const evalTexts = ['dev', 'test'].flatMap((p) =>
    readReviews(join(shared, `sentiment/chnsenticorp_${p}.tsv`)).map((r) => r.text),
  );
  const mix = buildMix(
    mixSources([
      { file: join(shared, 'sentiment/chnsenticorp_train.tsv'), holdout: false },
      { file: join(shared, 'corpora/chnsenticorp_htl_all.csv'), holdout: true },
    ]),
    evalTexts,
    { devPerClass: 300, seed: 42 },
  );
  // ChnSentiCorp's own train file repeats 687 dev/test reviews verbatim (and 1,351 of its own).
  const cs = mix.counts['chnsenticorp_train']!;
  assert.ok(cs.contaminated >= 687 && cs.duplicate >= 1300, JSON.stringify(cs));
  const htl = mix.counts['chnsenticorp_htl_all']!;
  assert.equal(htl.used[0], htl.used[1]);
  const keys = new Set(evalTexts.map(reviewKey));
  assert.ok(!mix.train.some((r) => keys.has(reviewKey(r.text))));
});
