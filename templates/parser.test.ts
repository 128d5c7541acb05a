import assert from 'node:assert/strict';
import { describe, it } from 'vitest';
import { TemplateSyntaxError } from '../framework/errors.js';
import type { TemplateBlock } from './blocks.js';
import { parseTemplate, type ParseOptions } from './parser.js';
import { PUBLISHED_TEMPLATES } from './paddlenlp-templates.fixture.js';

const blocks = (s: string): readonly TemplateBlock[] => parseTemplate(s).blocks;
const one = (s: string): TemplateBlock => {
  const [b, ...rest] = blocks(s);
  assert.equal(rest.length, 0);
  assert.ok(b !== undefined);
  return b;
};

function fails(src: string, offset: number, message: RegExp, opts?: ParseOptions): void {
  assert.throws(
    () => parseTemplate(src, opts),
    (e: unknown) => {
      assert.ok(e instanceof TemplateSyntaxError, String(e));
      assert.equal(e.offset, offset, e.message);
      assert.equal(e.template, src);
      assert.match(e.message, message);
      assert.match(e.message, new RegExp(`at offset ${offset}:`));
      return true;
    },
  );
}

describe('parseTemplate: text, hard and mask blocks', () => {
  it('parses a PET template with bare hard text, a text field and a mask, with offsets', () => {
    assert.deepEqual(blocks("“{'text': 'text_a'}”这句话是{'mask'}面的。"), [
      { kind: 'hard', text: '“', truncate: false, addSpace: false, offset: 0 },
      { kind: 'text', field: 'text_a', truncate: true, addSpace: false, offset: 1 },
      { kind: 'hard', text: '”这句话是', truncate: false, addSpace: false, offset: 19 },
      { kind: 'mask', length: 1, addSpace: false, offset: 24 },
      { kind: 'hard', text: '面的。', truncate: false, addSpace: false, offset: 32 },
    ]);
  });

  it('reads text and hard with truncate flags, and Chinese field names', () => {
    assert.deepEqual(one("{'text': 'text_b', 'truncate': False}"), {
      kind: 'text',
      field: 'text_b',
      truncate: false,
      addSpace: false,
      offset: 0,
    });
    assert.deepEqual(one("{'hard': '提示', 'truncate': true}"), {
      kind: 'hard',
      text: '提示',
      truncate: true,
      addSpace: false,
      offset: 0,
    });
    assert.deepEqual(one("{'text': '句子'}"), {
      kind: 'text',
      field: '句子',
      truncate: true,
      addSpace: false,
      offset: 0,
    });
  });

  it('reads masks in set form, with None/null, and with a length', () => {
    for (const s of ["{'mask'}", "{'mask': None}", '{"mask": null}', "{ 'mask' , }"]) {
      assert.deepEqual(one(s), { kind: 'mask', length: 1, addSpace: false, offset: 0 }, s);
    }
    assert.deepEqual(one("{'mask': None, 'length': 2}"), { kind: 'mask', length: 2, addSpace: false, offset: 0 });
  });
});

describe('parseTemplate: soft, sep, cls and options blocks', () => {
  it('reads every soft form', () => {
    assert.deepEqual(one("{'soft'}"), {
      kind: 'soft',
      init: null,
      length: 1,
      encoder: 'none',
      addSpace: false,
      offset: 0,
    });
    assert.deepEqual(one("{'soft': '初始化文本'}"), {
      kind: 'soft',
      init: '初始化文本',
      length: null,
      encoder: 'none',
      addSpace: false,
      offset: 0,
    });
    assert.deepEqual(one("{'soft': None, 'length': 4, 'encoder': 'lstm', 'hidden_size': 128}"), {
      kind: 'soft',
      init: null,
      length: 4,
      encoder: 'lstm',
      hiddenSize: 128,
      addSpace: false,
      offset: 0,
    });
    assert.deepEqual(one("{'soft': '请判断：', 'length': 15, 'encoder': 'mlp'}"), {
      kind: 'soft',
      init: '请判断：',
      length: 15,
      encoder: 'mlp',
      addSpace: false,
      offset: 0,
    });
    assert.deepEqual(one("{'soft': None, 'encoder': None}"), {
      kind: 'soft',
      init: null,
      length: 1,
      encoder: 'none',
      addSpace: false,
      offset: 0,
    });
  });

  it('resolves soft_id sharing: the first block defines, later ones reuse (length null)', () => {
    assert.deepEqual(
      blocks(
        "{'soft_id': 1, 'length': 2}{'text': 'a'}{'soft_id': 1}" +
          "{'soft': '文本', 'soft_id': 2}{'soft': None, 'soft_id': 2}",
      ),
      [
        { kind: 'soft', init: null, length: 2, encoder: 'none', softId: 1, addSpace: false, offset: 0 },
        { kind: 'text', field: 'a', truncate: true, addSpace: false, offset: 27 },
        { kind: 'soft', init: null, length: null, encoder: 'none', softId: 1, addSpace: false, offset: 40 },
        { kind: 'soft', init: '文本', length: null, encoder: 'none', softId: 2, addSpace: false, offset: 54 },
        { kind: 'soft', init: null, length: null, encoder: 'none', softId: 2, addSpace: false, offset: 82 },
      ],
    );
  });

  it('reads sep and cls with position and token_type', () => {
    assert.deepEqual(blocks("{'sep'}{'sep': None, 'token_type': 1}{'cls': None, 'token_type': 0, 'position': 0}"), [
      { kind: 'sep', addSpace: false, offset: 0 },
      { kind: 'sep', addSpace: false, tokenType: 1, offset: 7 },
      { kind: 'cls', addSpace: false, tokenType: 0, position: 0, offset: 37 },
    ]);
  });

  it('reads options from a list or a field, with add_prompt, add_omask and length', () => {
    assert.deepEqual(one("{'options': ['正确', \"错误\",], 'add_prompt': '答案是[OPT]', 'length': 2}"), {
      kind: 'options',
      source: { from: 'list', values: ['正确', '错误'] },
      addPrompt: '答案是[OPT]',
      addOmask: false,
      truncate: false,
      length: 2,
      addSpace: false,
      offset: 0,
    });
    assert.deepEqual(one("{'options': 'choices', 'add_omask': True, 'position': 0, 'token_type': 1}"), {
      kind: 'options',
      source: { from: 'field', field: 'choices' },
      addOmask: true,
      truncate: false,
      position: 0,
      tokenType: 1,
      addSpace: false,
      offset: 0,
    });
  });
});

describe('parseTemplate: spaces, quotes and literals', () => {
  it('follows PaddleNLP spacing: spaces before a part set add_space, trailing spaces of bare text are dropped', () => {
    assert.deepEqual(blocks(" {'text': 'a'} 是  {'mask'} "), [
      { kind: 'text', field: 'a', truncate: true, addSpace: true, offset: 1 },
      { kind: 'hard', text: '是', truncate: false, addSpace: true, offset: 15 },
      { kind: 'mask', length: 1, addSpace: false, offset: 18 },
    ]);
    assert.equal(one("{'mask': None, 'add_space': True}").addSpace, true);
    assert.equal(one("{'mask': None, 'add_space': ' '}").addSpace, true);
    assert.equal(one(" {'mask': None, 'add_space': False}").addSpace, false);
  });

  it('accepts both quote styles and all escapes, and keeps unknown escapes like Python', () => {
    assert.deepEqual(one('{"text": "text_a"}'), one("{'text': 'text_a'}"));
    assert.deepEqual(one(`{"text": 'text_a'}`), one("{'text': 'text_a'}"));
    const hard = one("{'hard': 'a\\'b\\n\\t\\\\\\u4e2d\\x41\\q\"'}");
    assert.equal(hard.kind === 'hard' ? hard.text : '', 'a\'b\n\t\\中A\\q"');
    const dq = one('{"hard": "say \\"hi\\" {ok}"}');
    assert.equal(dq.kind === 'hard' ? dq.text : '', 'say "hi" {ok}');
  });

  it('reads True/False/true/false, None/null, ints, and whitespace or newlines inside braces', () => {
    assert.deepEqual(one("{\n  'text': 'a',\n  'truncate': false,\n  'position': +3,\n}"), {
      kind: 'text',
      field: 'a',
      truncate: false,
      position: 3,
      addSpace: false,
      offset: 0,
    });
    assert.deepEqual(one("{'hard': '', 'truncate': True}"), {
      kind: 'hard',
      text: '',
      truncate: true,
      addSpace: false,
      offset: 0,
    });
  });

  it('parses the empty template to no blocks, and every published PaddleNLP template', () => {
    assert.deepEqual(blocks(''), []);
    assert.deepEqual(blocks('   '), []);
    for (const { from, template } of PUBLISHED_TEMPLATES) {
      assert.ok(parseTemplate(template, { requireText: true }).blocks.length > 0, from);
    }
  });
});

describe('parseTemplate: errors name the key or problem and the offset', () => {
  it('unknown keys list the valid keys and suggest near misses', () => {
    fails(
      "{'text': 'a', 'truncation': False}",
      14,
      /unknown key 'truncation' \(did you mean 'truncate'\?\); valid keys: text, hard, .*add_omask/,
    );
    fails("{'colour': 1}", 1, /unknown key 'colour'; valid keys/);
    fails("{'prefix': None}", 1, /prefix tuning is not supported/);
    // PaddleNLP's own pet/prompt/csl.json template #1 uses 'truncation', which PaddleNLP also rejects.
    fails(
      "{'text':'abst'}这段话中关键词包括{'text':'keyword', 'truncation': False}对吗？{'mask'}。",
      43,
      /'truncation'.*'truncate'/,
    );
  });

  it('unclosed braces, quotes and lists point at the opener', () => {
    fails("这是{'text': 'a'", 2, /unclosed '\{'/);
    fails("{'mask'", 0, /unclosed '\{'/);
    fails("{'text': 'a', ", 0, /unclosed '\{'/);
    fails("{'text': 'a}", 9, /unclosed string: no matching '/);
    fails('{"text": "a\n"}', 9, /unclosed string: line break/);
    fails("{'options': ['a', 'b'}", 12, /unclosed list/);
    fails('好}', 1, /unmatched '\}'/);
    fails("{'text': 'a' 这是{'mask'}", 13, /expected ',' or '\}' after 'text', got '这' \(block opened at offset 0\)/);
  });

  it('bad value types say what was expected and what was found', () => {
    fails("{'mask': None, 'length': '2'}", 25, /key 'length' expects a positive int, got str '2'/);
    fails("{'mask': None, 'length': 2.0}", 25, /expects a positive int, got float 2/);
    fails("{'mask': None, 'length': 0}", 25, /expects a positive int, got int 0/);
    fails("{'soft': None, 'encoder': 'gru'}", 26, /key 'encoder' expects 'lstm', 'mlp' or None, got str 'gru'/);
    fails("{'text': 3}", 9, /key 'text' expects a non-empty string, got int 3/);
    fails("{'mask': 'x'}", 9, /key 'mask' expects None/);
    fails("{'sep': None, 'token_type': 2}", 28, /key 'token_type' expects 0 or 1, got int 2/);
    fails("{'text': 'a', 'position': -1}", 26, /expects an int >= 0, got int -1/);
    fails("{'text': 'a', 'truncate': 1}", 26, /expects True or False, got int 1/);
    fails("{'options': []}", 12, /expects a field name or a non-empty list of strings, got list of 0/);
    fails("{'options': ['a'], 'add_prompt': '选项'}", 33, /'add_prompt' must contain \[OPT\]/);
    fails("{'text': text_a}", 9, /unknown name 'text_a'/);
    fails("{'hard': '\\x4'}", 10, /bad escape \\x: expected 2 hex digits/);
  });

  it('conflicting, duplicate, misplaced and missing keys', () => {
    fails("{'text': 'a', 'mask': None}", 14, /conflicting keys 'text' and 'mask'/);
    fails(
      "{'soft_id': 1}{'soft': '文本', 'soft_id': 1}",
      29,
      /conflicting keys 'soft' and 'soft_id': soft_id 1 is already defined at offset 0/,
    );
    fails("{'soft_id': 1}{'soft_id': 1, 'length': 3}", 29, /conflicting keys 'length' and 'soft_id'/);
    fails(
      "{'mask': None, 'encoder': 'lstm'}",
      15,
      /key 'encoder' does not apply to a 'mask' block; valid keys there: mask, length/,
    );
    fails("{'text': 'a', 'text': 'b'}", 14, /duplicate key 'text' \(first at offset 1\)/);
    fails("{'sep', 'token_type': 1}", 8, /mixed set and dict syntax/);
    fails("{text: 'a'}", 1, /key text must be quoted: 'text'/);
    fails('{}', 0, /empty block/);
    fails("{'length': 2}", 0, /block has no kind key/);
  });

  it('requireMask and requireText check the whole template', () => {
    fails("{'text': 'text_a'}很好", 0, /no \{'mask'\} block/, { requireMask: true });
    fails("{'mask'}{'soft'}", 0, /reads no example field/, { requireText: true });
    assert.equal(parseTemplate("{'options': 'choices'}", { requireText: true }).blocks.length, 1);
  });
});
