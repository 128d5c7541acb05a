/**
 * Templates published with PaddleNLP (few-shot FewCLUE examples, the Prompt API docs, UTC), used
 * by the parser and round-trip tests. `from` is the file in PaddlePaddle/PaddleNLP they come from.
 *
 * @example
 * PUBLISHED_TEMPLATES.length; // => 29
 */
export const PUBLISHED_TEMPLATES: readonly { readonly from: string; readonly template: string }[] = [
  {
    from: 'examples/few_shot/pet/prompt/ocnli.json#0',
    template: "“{'text': 'sentence1'}”和“{'text': 'sentence2'}”之间的逻辑关系是{'mask'}{'mask'}",
  },
  {
    from: 'examples/few_shot/pet/prompt/ocnli.json#1',
    template: "“{'text': 'sentence1'}”和“{'text': 'sentence2'}”说的是{'mask'}{'mask'}的东西。",
  },
  {
    from: 'examples/few_shot/pet/prompt/ocnli.json#2',
    template: "下边两句话之间有什么逻辑关系？{'mask'}{'mask'}“{'text': 'sentence1'}”{'sep'}“{'text': 'sentence2'}”",
  },
  {
    from: 'examples/few_shot/pet/prompt/csl.json#0',
    template: "给定以下几个词语：{'text': 'keyword'}{'mask'}{'mask'}扩写成“{'text': 'abst'}”",
  },
  {
    from: 'examples/few_shot/pet/prompt/csl.json#2',
    template: "{'text':'keyword'}这几个词和下边这段话内容{'mask'}关。“{'text':'abst'}”",
  },
  {
    from: 'examples/few_shot/pet/prompt/csl.json#3',
    template: "“{'text':'abst'}”本文的内容{'mask'}{'mask'}“{'text':'keyword'}”",
  },
  {
    from: 'examples/few_shot/pet/prompt/cluewsc.json#0',
    template: "{'text': 'text'}{'text': 'pronoun'}指的{'mask'}是{'text': 'entity'}",
  },
  {
    from: 'examples/few_shot/pet/prompt/cluewsc.json#1',
    template:
      "{'text': 'text'}{'text': 'pronoun'}指的是{'text': 'entity'}。这里{'text': 'pronoun'}理解得对吗？{'mask'}",
  },
  {
    from: 'examples/few_shot/pet/prompt/iflytek.json#0',
    template: "下边介绍的是和{'mask': None, 'length': 4}相关的产品：{'text': 'sentence'}",
  },
  {
    from: 'examples/few_shot/pet/prompt/iflytek.json#2',
    template: "这段话跟什么有关？{'mask'}{'mask'}“{'text': 'sentence'}”",
  },
  { from: 'examples/few_shot/p-tuning/prompt/eprstmt.json', template: "{'mask'}{'soft'}{'text':'sentence'}" },
  {
    from: 'examples/few_shot/p-tuning/prompt/bustm.json',
    template: "{'mask'}{'soft'}{'text': 'sentence1'}{'text': 'sentence2'}",
  },
  {
    from: 'examples/few_shot/p-tuning/prompt/cluewsc.json',
    template: "{'mask'}{'mask'}{'soft'}{'text': 'text'}{'text': 'pronoun'}指的{'mask'}是{'text': 'entity'}",
  },
  {
    from: 'examples/few_shot/p-tuning/prompt/csl.json',
    template: "{'mask'}{'soft'}本文关键词有{'text': 'keyword'}{'text': 'abst'}",
  },
  {
    from: 'examples/few_shot/p-tuning/prompt/chid.json',
    template: "{'mask'}{'soft'}{'text':'content_pre'}{'text': 'idiom'}{'text': 'content_post'}",
  },
  {
    from: 'examples/few_shot/p-tuning/prompt/iflytek.json',
    template: "{'mask': None, 'length': 4}{'soft'}{'text': 'sentence'}",
  },
  {
    from: 'examples/few_shot/efl/prompt/iflytek.json',
    template: "这段文本的应用描述主题是{'text': 'candidate_label'}。{'text': 'sentence'}",
  },
  {
    from: 'examples/few_shot/efl/prompt/cluewsc.json',
    template: "{'text': 'text'}{'text': 'pronoun'}指的{'text': 'candidate_label'}{'text': 'entity'}",
  },
  {
    from: 'docs/advanced_guide/prompt.md (ManualTemplate)',
    template: "{'hard': '“'}{'text': 'text_a'}{'hard': '”和“'}{'text': 'text_b'}{'hard': '”之间的逻辑关系是'}{'mask'}",
  },
  {
    from: 'docs/advanced_guide/prompt.md (options)',
    template:
      "{'options': './data/label.txt'}{'sep'}下边两句话间的逻辑关系是什么？{'text': 'text_a'}" +
      "{'sep': None, 'token_type': 1}{'text': 'text_b'}",
  },
  {
    from: 'docs/advanced_guide/prompt.md (SoftTemplate 1)',
    template: "{'soft'}{'text': 'text_a'}{'sep': None, 'token_type': 1}{'text': 'text_b'}",
  },
  {
    from: 'docs/advanced_guide/prompt.md (SoftTemplate 2)',
    template: "{'text': 'text_a'}{'sep'}{'text': 'text_b'}{'soft': None, 'length':10, 'encoder': 'mlp'}{'mask'}",
  },
  {
    from: 'docs/advanced_guide/prompt.md (SoftTemplate 3)',
    template:
      "{'text': 'text_a'}{'sep'}{'text': 'text_b'}" +
      "{'soft': '请判断：', 'length': 15, 'encoder': 'lstm', 'hidden_size': 100}{'mask'}",
  },
  {
    from: 'docs/advanced_guide/prompt.md (SoftTemplate 4)',
    template: "{'text': 'text_a'}{'sep'}{'text': 'text_b'}{'soft': '请判断这两个句子间的逻辑关系：'}{'mask'}",
  },
  {
    from: 'docs/advanced_guide/prompt.md (SoftTemplate 5)',
    template:
      "{'soft': '自然语言推理任务：'}{'text': 'text_a'}{'sep'}{'text': 'text_b'}这两个句子间的逻辑关系是{'mask'}",
  },
  { from: 'docs/advanced_guide/prompt.md (verbalizer)', template: "{'text':'text_a'}这句话表示我{'mask'}满意。" },
  {
    from: 'docs/advanced_guide/prompt.md (PromptTrainer)',
    template: "{'text': 'text_a'}和{'text': 'text_b'}说的是{'mask'}同的事情。",
  },
  {
    from: 'paddlenlp/prompt/template.py (UTCTemplate)',
    template:
      "{'options': 'choices', 'add_omask': True, 'position': 0, 'token_type': 1}" +
      "{'sep': None, 'token_type': 0, 'position': 0}{'text': 'text_a'}{'sep': None, 'token_type': 1}{'text': 'text_b'}",
  },
  {
    from: 'applications/zero_shot_text_classification/run_train.py',
    template:
      "{'text': 'question'}{'sep': None, 'token_type': 1}{'options': 'choices', 'add_omask': True}" +
      "{'cls': None, 'token_type': 0, 'position': 0}{'text': 'text_a'}{'sep': None, 'token_type': 1}{'text': 'text_b'}",
  },
];
