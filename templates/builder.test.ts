import assert from 'node:assert/strict';
import { describe, it } from 'vitest';
import { TemplateSyntaxError } from '../framework/errors.js';
import type { BlockSpec, TemplateBlock } from './blocks.js';
import { cls, hard, mask, options, sep, soft, template, text, toTemplateString } from './builder.js';
import { PUBLISHED_TEMPLATES } from './paddlenlp-templates.fixture.js';
import { parseTemplate } from './parser.js';

/** Blocks without offsets: what two equivalent template strings must agree on. */
const shape = (bs: readonly TemplateBlock[]): BlockSpec[] => bs.map(({ offset: _offset, ...rest }) => rest);
const parsedShape = (s: string): BlockSpec[] => shape(parseTemplate(s).blocks);

describe('block functions', () => {
  it('fill in PaddleNLP defaults', () => {
    assert.deepEqual(text('text_a'), { kind: 'text', field: 'text_a', truncate: true, addSpace: false });
    assert.deepEqual(hard('这是'), { kind: 'hard', text: '这是', truncate: false, addSpace: false });
    assert.deepEqual(mask(), { kind: 'mask', length: 1, addSpace: false });
    assert.deepEqual(mask({ length: 2, tokenType: 1 }), { kind: 'mask', length: 2, addSpace: false, tokenType: 1 });
    assert.deepEqual(soft(), { kind: 'soft', init: null, length: 1, encoder: 'none', addSpace: false });
    assert.deepEqual(soft('请判断'), { kind: 'soft', init: '请判断', length: null, encoder: 'none', addSpace: false });
    assert.deepEqual(soft({ length: 4, encoder: 'lstm', hiddenSize: 64 }), {
      kind: 'soft',
      init: null,
      length: 4,
      encoder: 'lstm',
      hiddenSize: 64,
      addSpace: false,
    });
    assert.deepEqual(sep({ tokenType: 1 }), { kind: 'sep', addSpace: false, tokenType: 1 });
    assert.deepEqual(cls({ position: 0 }), { kind: 'cls', addSpace: false, position: 0 });
    assert.deepEqual(options(['正确', '错误'], { addPrompt: '[OPT]吗' }), {
      kind: 'options',
      source: { from: 'list', values: ['正确', '错误'] },
      addOmask: false,
      truncate: false,
      addPrompt: '[OPT]吗',
      addSpace: false,
    });
  });
});

describe('template() builder', () => {
  it('chains blocks and prints the canonical string', () => {
    const b = template().text('text_a').hard('这是').mask(2).hard('的评论');
    assert.equal(b.toString(), "{'text': 'text_a'}这是{'mask': None, 'length': 2}的评论");
  });

  it('build() gives the same blocks as parsing the equivalent published string, offsets into its source', () => {
    const built = template()
      .hard('“')
      .text('text_a')
      .hard('”和“')
      .text('text_b')
      .hard('”之间的逻辑关系是')
      .mask()
      .build({ requireMask: true });
    assert.equal(built.source, "“{'text': 'text_a'}”和“{'text': 'text_b'}”之间的逻辑关系是{'mask'}");
    assert.deepEqual(shape(built.blocks), parsedShape(PUBLISHED_TEMPLATES[18]?.template ?? ''));
    for (const b of built.blocks) {
      const at = built.source.slice(b.offset);
      assert.ok(b.kind === 'hard' ? at.startsWith(b.text) : at.startsWith('{'), `${b.kind} at ${b.offset}`);
    }
    assert.deepEqual(parseTemplate(built.source).blocks, built.blocks);
  });

  it('builds P-Tuning and UTC templates', () => {
    const p = template(mask(), soft({ length: 4, encoder: 'lstm' }), text('sentence')).build();
    assert.equal(p.source, "{'mask'}{'soft': None, 'length': 4, 'encoder': 'lstm'}{'text': 'sentence'}");
    const utc = template()
      .options('choices', { addOmask: true, position: 0, tokenType: 1 })
      .sep({ tokenType: 0, position: 0 })
      .text('text_a')
      .sep({ tokenType: 1 })
      .text('text_b')
      .build();
    assert.deepEqual(shape(utc.blocks), parsedShape(PUBLISHED_TEMPLATES[27]?.template ?? ''));
  });

  it('shares soft tokens by softId', () => {
    const t = template().soft({ softId: 1, length: 3 }).text('a').soft({ softId: 1 }).build();
    assert.equal(t.source, "{'soft_id': 1, 'length': 3}{'text': 'a'}{'soft_id': 1}");
    assert.deepEqual(
      t.blocks.map((b) => (b.kind === 'soft' ? b.length : b.kind)),
      [3, 'text', null],
    );
  });

  it('build() validates like the parser', () => {
    assert.throws(
      () => template().mask(0).build(),
      (e: unknown) =>
        e instanceof TemplateSyntaxError &&
        /key 'length' expects a positive int, got int 0/.test(e.message) &&
        e.offset === 25,
    );
    assert.throws(() => template().text('a').build({ requireMask: true }), /no \{'mask'\} block/);
  });
});

describe('toTemplateString', () => {
  it('keeps hard text bare only where it parses back identically', () => {
    assert.equal(toTemplateString([hard('a'), hard('b')]), "a{'hard': 'b'}");
    assert.equal(toTemplateString([hard(' 前后 ')]), "{'hard': ' 前后 '}");
    assert.equal(toTemplateString([hard('{x}')]), "{'hard': '{x}'}");
    assert.equal(toTemplateString([hard('x', { addSpace: true })]), "{'hard': 'x', 'add_space': True}");
    assert.equal(toTemplateString([hard('')]), "{'hard': ''}");
    assert.equal(toTemplateString([hard("it's\n\\\u0001")]), "it's\n\\\u0001");
    assert.equal(
      toTemplateString([hard("it's\n\\\u0001", { truncate: true })]),
      "{'hard': 'it\\'s\\n\\\\\\x01', 'truncate': True}",
    );
  });

  it('prints defaults compactly and attributes in a fixed order', () => {
    assert.equal(toTemplateString([mask(), soft(), sep(), cls()]), "{'mask'}{'soft'}{'sep'}{'cls'}");
    assert.equal(
      toTemplateString([text('t', { truncate: false, position: 2, tokenType: 1, addSpace: true })]),
      "{'text': 't', 'truncate': False, 'position': 2, 'token_type': 1, 'add_space': True}",
    );
    assert.equal(
      toTemplateString([soft({ init: '文本', softId: 3, length: 5, encoder: 'mlp', hiddenSize: 32 })]),
      "{'soft': '文本', 'soft_id': 3, 'length': 5, 'encoder': 'mlp', 'hidden_size': 32}",
    );
    assert.equal(
      toTemplateString([options(['是', '否'], { addOmask: true, truncate: true, length: 2, addPrompt: '[OPT]' })]),
      "{'options': ['是', '否'], 'add_prompt': '[OPT]', 'add_omask': True, 'truncate': True, 'length': 2}",
    );
  });

  it('round-trips every published PaddleNLP template: parse(print(parse(s))) ≡ parse(s)', () => {
    assert.ok(PUBLISHED_TEMPLATES.length >= 10);
    for (const { from, template: s } of PUBLISHED_TEMPLATES) {
      const printed = toTemplateString(parseTemplate(s).blocks);
      assert.deepEqual(parsedShape(printed), parsedShape(s), `${from}: ${printed}`);
      assert.equal(toTemplateString(parseTemplate(printed).blocks), printed, `${from}: printing is idempotent`);
    }
  });

  it('round-trips random block lists (seeded)', () => {
    let seed = 12345;
    const rnd = (n: number): number => {
      seed = (seed * 1103515245 + 12345) % 2147483648;
      return seed % n;
    };
    const pick = <T>(xs: readonly T[]): T => xs[rnd(xs.length)] as T;
    const chars = ['中', '文', 'a', ' ', '{', '}', "'", '"', '\\', '\n', '：', '[OPT]'];
    const str = (min: number): string => Array.from({ length: min + rnd(4) }, () => pick(chars)).join('');
    const common = (): { addSpace: boolean; tokenType?: 0 | 1; position?: number } => ({
      addSpace: rnd(4) === 0,
      ...(rnd(3) === 0 ? { tokenType: pick([0, 1] as const) } : {}),
      ...(rnd(4) === 0 ? { position: rnd(5) } : {}),
    });
    for (let trial = 0; trial < 300; trial++) {
      const defined = new Set<number>();
      const specs: BlockSpec[] = Array.from({ length: 1 + rnd(6) }, (): BlockSpec => {
        switch (rnd(7)) {
          case 0:
            return text(str(1).replace(/^\s*$/, 'f'), { truncate: rnd(2) === 0, ...common() });
          case 1:
            return hard(str(0), { truncate: rnd(3) === 0, ...common() });
          case 2:
            return mask({ length: 1 + rnd(3), ...common() });
          case 3: {
            const softId = rnd(3) === 0 ? undefined : rnd(2);
            if (softId !== undefined && defined.has(softId)) return soft({ softId, ...common() });
            if (softId !== undefined) defined.add(softId);
            const init = rnd(2) === 0 ? null : str(1);
            return soft({
              init,
              length: init === null ? 1 + rnd(4) : rnd(2) === 0 ? 2 : undefined,
              encoder: pick(['none', 'lstm', 'mlp'] as const),
              ...(softId === undefined ? {} : { softId }),
              ...common(),
            });
          }
          case 4:
            return sep(common());
          case 5:
            return cls(common());
          default:
            return options(rnd(2) === 0 ? 'choices' : [str(1), str(1)], {
              addOmask: rnd(2) === 0,
              ...(rnd(2) === 0 ? { addPrompt: `${str(0)}[OPT]` } : {}),
              ...common(),
            });
        }
      });
      const printed = toTemplateString(specs);
      assert.deepEqual(parsedShape(printed), specs, printed);
    }
  });
});
