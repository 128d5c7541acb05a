import assert from 'node:assert/strict';
import { describe, it } from 'vitest';
import { TemplateSyntaxError } from '../framework/errors.js';
import { parseTemplate } from './parser.js';
import { renderTemplate, segmentsToText, softTokenLayout } from './render.js';

function failsAt(fn: () => unknown, offset: number, message: RegExp): void {
  assert.throws(fn, (e: unknown) => {
    assert.ok(e instanceof TemplateSyntaxError, String(e));
    assert.equal(e.offset, offset, e.message);
    assert.match(e.message, message);
    return true;
  });
}

describe('renderTemplate', () => {
  it('renders a PET template into typed segments', () => {
    const t = parseTemplate(
      "“{'text': 'sentence1'}”和“{'text': 'sentence2', 'truncate': False}”之间的逻辑关系是{'mask'}{'mask'}",
    );
    const segs = renderTemplate(t, { sentence1: '心里有些生畏', sentence2: '心里特别开心', label: 'contradiction' });
    const base = { addSpace: false, tokenType: 0, position: null };
    assert.deepEqual(segs, [
      { kind: 'hard', text: '“', truncate: false, block: 0, offset: 0, ...base },
      { kind: 'text', field: 'sentence1', text: '心里有些生畏', truncate: true, block: 1, offset: 1, ...base },
      { kind: 'hard', text: '”和“', truncate: false, block: 2, offset: 22, ...base },
      { kind: 'text', field: 'sentence2', text: '心里特别开心', truncate: false, block: 3, offset: 25, ...base },
      { kind: 'hard', text: '”之间的逻辑关系是', truncate: false, block: 4, offset: 65, ...base },
      { kind: 'mask', count: 1, truncate: false, block: 5, offset: 74, ...base },
      { kind: 'mask', count: 1, truncate: false, block: 6, offset: 82, ...base },
    ]);
    assert.equal(segmentsToText(segs), '“心里有些生畏”和“心里特别开心”之间的逻辑关系是[MASK][MASK]');
  });

  it('accepts a template string and stringifies numeric fields like PaddleNLP str()', () => {
    const segs = renderTemplate("{'text': 'n'}是{'mask': None, 'length': 2}", { n: 42 });
    assert.equal(segmentsToText(segs), '42是[MASK][MASK]');
  });

  it('makes token_type sticky and carries positions, as in the UTC template', () => {
    const t =
      "{'options': 'choices', 'add_omask': True, 'position': 0, 'token_type': 1}" +
      "{'sep': None, 'token_type': 0, 'position': 0}{'text': 'text_a'}{'sep': None, 'token_type': 1}{'text': 'text_b'}";
    const segs = renderTemplate(t, { choices: ['正向', '负向'], text_a: '很好', text_b: '' });
    assert.deepEqual(
      segs.map((s) => [s.kind, s.tokenType, s.position]),
      [
        ['options', 1, 0],
        ['sep', 0, 0],
        ['text', 0, null],
        ['sep', 1, null],
        ['text', 1, null],
      ],
    );
    const opt = segs[0];
    assert.ok(opt?.kind === 'options');
    assert.deepEqual([opt.options, opt.omask, opt.field, opt.truncate], [['正向', '负向'], true, 'choices', false]);
    assert.equal(segmentsToText(segs), '[O-MASK]正向[O-MASK]负向[SEP]很好[SEP]');
  });

  it('substitutes add_prompt around list options, and a string field is one option', () => {
    const list = renderTemplate("{'options': ['好', '坏'], 'add_prompt': '这是[OPT]的'}", {});
    assert.equal(segmentsToText(list), '这是好的这是坏的');
    const single = renderTemplate("{'options': 'label', 'add_prompt': '[OPT]？'}{'text': 'a'}", {
      label: '体育',
      a: '球赛',
    });
    assert.equal(segmentsToText(single), '体育？球赛');
  });

  it('prefixes add_space parts with a space in the text preview', () => {
    assert.equal(segmentsToText(renderTemplate("{'text': 'a'} is {'mask'}", { a: 'It' })), 'It is[MASK]');
  });

  it('names the missing field, its offset and the fields the example has', () => {
    const src = "{'text': 'text_a'}和{'text': 'text_b'}说的是{'mask'}同的事情。";
    failsAt(
      () => renderTemplate(src, { text_a: '甲', label: 1 }),
      19,
      /field 'text_b' is missing from the example \(it has: text_a, label\) at offset 19/,
    );
    failsAt(() => renderTemplate(src, {}), 0, /field 'text_a' is missing from the example \(it has: no fields\)/);
    failsAt(() => renderTemplate(src, { text_a: '甲', text_b: undefined }), 19, /field 'text_b' is missing/);
    failsAt(
      () => renderTemplate(src, { text_a: null, text_b: '乙' }),
      0,
      /field 'text_a' must be a string or number, got null/,
    );
    failsAt(
      () => renderTemplate("前{'options': 'choices'}", { choices: [1, 2] }),
      1,
      /must hold the options \(a string or string\[\]\), got an array \[number, number\]/,
    );
  });
});

describe('soft tokens', () => {
  it('numbers soft tokens from 1 in block order, one per init token, padding to length', () => {
    const t = parseTemplate(
      "{'soft': '请判断'}{'text': 'a'}{'soft': None, 'length': 2}" +
        "{'soft': '逻辑关系', 'length': 6, 'encoder': 'lstm'}{'soft': '很长的文本', 'length': 2}",
    );
    assert.deepEqual(softTokenLayout(t), {
      ids: [[1, 2, 3], null, [4, 5], [6, 7, 8, 9, 10, 11], [12, 13, 14, 15, 16]],
      initCounts: [3, 0, 0, 4, 5],
      tableSize: 17,
    });
  });

  it('shares ids between blocks with the same soft_id', () => {
    const t = parseTemplate(
      "{'soft_id': 1, 'length': 2}{'text': 'a'}{'soft': '文本', 'soft_id': 2}" +
        "{'soft_id': 1}{'soft_id': 2, 'encoder': 'mlp'}{'soft'}",
    );
    assert.deepEqual(softTokenLayout(t).ids, [[1, 2], null, [3, 4], [1, 2], [3, 4], [5]]);
    const segs = renderTemplate(t, { a: 'x' });
    const soft = segs.filter((s) => s.kind === 'soft');
    assert.deepEqual(
      soft.map((s) => [s.ids, s.softId, s.encoder, s.init, s.initCount]),
      [
        [[1, 2], 1, 'none', null, 0],
        [[3, 4], 2, 'none', '文本', 2],
        [[1, 2], 1, 'none', null, 0],
        [[3, 4], 2, 'mlp', null, 0],
        [[5], undefined, 'none', null, 0],
      ],
    );
    assert.equal(segmentsToText(segs), '[SOFT][SOFT]x[SOFT][SOFT][SOFT][SOFT][SOFT][SOFT][SOFT]');
  });

  it('uses the given token counter, or a precomputed layout', () => {
    const t = parseTemplate("{'soft': 'please decide', 'encoder': 'mlp', 'hidden_size': 64}{'mask'}");
    const words = (s: string): number => s.split(/\s+/).filter(Boolean).length;
    const layout = softTokenLayout(t, words);
    assert.deepEqual(layout, { ids: [[1, 2], null], initCounts: [2, 0], tableSize: 3 });
    const [seg] = renderTemplate(t, {}, { layout });
    assert.deepEqual(seg, {
      kind: 'soft',
      ids: [1, 2],
      init: 'please decide',
      initCount: 2,
      encoder: 'mlp',
      hiddenSize: 64,
      truncate: false,
      block: 0,
      offset: 0,
      addSpace: false,
      tokenType: 0,
      position: null,
    });
    assert.deepEqual(renderTemplate(t, {}, { countTokens: words })[0], seg);
  });

  it('rejects init text with no tokens', () => {
    failsAt(() => softTokenLayout(parseTemplate("{'mask'}{'soft': '   '}")), 8, /soft init text ' {3}' has no tokens/);
  });
});
