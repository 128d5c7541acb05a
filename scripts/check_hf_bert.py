"""Loads a fewprompt model directory the way Hugging Face `transformers` does and prints its masked-LM predictions.

    /usr/bin/python3 scripts/check_hf_bert.py MODEL_DIR < inputs.json     (run by scripts/check-hf-bert.ts)

stdin: {"inputs": [[token ids], …]} (each with one or more [MASK]). stdout: one JSON object with `loader` and, per
input, the top 5 (token id, probability) at each [MASK]. With `transformers` installed, `BertForMaskedLM.from_pretrained`
loads the directory (missing or unexpected weights are errors, except the decoder tied to the word embeddings and the
pooler, which BertForMaskedLM does not have). Without it (Debian has no package for it; PyPI is unreachable here), a
module tree with exactly `BertForMaskedLM`'s attribute names and shapes, written below from transformers' modeling_bert,
loads the same tensors with `load_state_dict(strict=True)`: every name, shape and the config are checked the same way.
"""
import json
import math
import os
import struct
import sys

import torch

REQUIRED_CONFIG = ['model_type', 'vocab_size', 'hidden_size', 'num_hidden_layers', 'num_attention_heads',
                   'intermediate_size', 'max_position_embeddings', 'type_vocab_size', 'layer_norm_eps', 'hidden_act']
DTYPES = {'F32': torch.float32, 'F16': torch.float16, 'BF16': torch.bfloat16}


def fail(message):
    print(json.dumps({'error': message}))
    sys.exit(1)


def read_safetensors(path):
    data = open(path, 'rb').read()
    n = struct.unpack('<Q', data[:8])[0]
    header = json.loads(data[8:8 + n])
    tensors = {}
    for name, meta in header.items():
        if name == '__metadata__':
            continue
        if meta['dtype'] not in DTYPES:
            fail(f'{path}: tensor {name} has dtype {meta["dtype"]}; expected one of {", ".join(DTYPES)}')
        start, end = meta['data_offsets']
        flat = torch.frombuffer(bytearray(data[8 + n + start:8 + n + end]), dtype=DTYPES[meta['dtype']])
        tensors[name] = flat.reshape(meta['shape']).float()
    return tensors


class SelfAttention(torch.nn.Module):
    def __init__(self, c):
        super().__init__()
        h = c['hidden_size']
        self.heads = c['num_attention_heads']
        self.query, self.key, self.value = torch.nn.Linear(h, h), torch.nn.Linear(h, h), torch.nn.Linear(h, h)

    def forward(self, x):
        b, t, h = x.shape
        split = lambda y: y.view(b, t, self.heads, h // self.heads).transpose(1, 2)  # noqa: E731
        q, k, v = split(self.query(x)), split(self.key(x)), split(self.value(x))
        p = (q @ k.transpose(-1, -2) / math.sqrt(h // self.heads)).softmax(-1)
        return (p @ v).transpose(1, 2).reshape(b, t, h)


class Output(torch.nn.Module):
    """`BertSelfOutput` / `BertOutput`: dense, then LayerNorm of the residual sum."""

    def __init__(self, c, inner):
        super().__init__()
        self.dense = torch.nn.Linear(inner, c['hidden_size'])
        self.LayerNorm = torch.nn.LayerNorm(c['hidden_size'], eps=c['layer_norm_eps'])

    def forward(self, x, residual):
        return self.LayerNorm(self.dense(x) + residual)


class Attention(torch.nn.Module):
    def __init__(self, c):
        super().__init__()
        self.self = SelfAttention(c)
        self.output = Output(c, c['hidden_size'])

    def forward(self, x):
        return self.output(self.self(x), x)


class Intermediate(torch.nn.Module):
    def __init__(self, c):
        super().__init__()
        self.dense = torch.nn.Linear(c['hidden_size'], c['intermediate_size'])

    def forward(self, x):
        return torch.nn.functional.gelu(self.dense(x))


class Layer(torch.nn.Module):
    def __init__(self, c):
        super().__init__()
        self.attention = Attention(c)
        self.intermediate = Intermediate(c)
        self.output = Output(c, c['intermediate_size'])

    def forward(self, x):
        a = self.attention(x)
        return self.output(self.intermediate(a), a)


class Embeddings(torch.nn.Module):
    def __init__(self, c):
        super().__init__()
        h = c['hidden_size']
        self.word_embeddings = torch.nn.Embedding(c['vocab_size'], h)
        self.position_embeddings = torch.nn.Embedding(c['max_position_embeddings'], h)
        self.token_type_embeddings = torch.nn.Embedding(c['type_vocab_size'], h)
        self.LayerNorm = torch.nn.LayerNorm(h, eps=c['layer_norm_eps'])

    def forward(self, ids):
        positions = torch.arange(ids.shape[1])[None]
        return self.LayerNorm(self.word_embeddings(ids) + self.position_embeddings(positions)
                              + self.token_type_embeddings(torch.zeros_like(ids)))


class Encoder(torch.nn.Module):
    def __init__(self, c):
        super().__init__()
        self.layer = torch.nn.ModuleList(Layer(c) for _ in range(c['num_hidden_layers']))

    def forward(self, x):
        for layer in self.layer:
            x = layer(x)
        return x


class Bert(torch.nn.Module):
    def __init__(self, c):
        super().__init__()
        self.embeddings = Embeddings(c)
        self.encoder = Encoder(c)

    def forward(self, ids):
        return self.encoder(self.embeddings(ids))


class Transform(torch.nn.Module):
    def __init__(self, c):
        super().__init__()
        self.dense = torch.nn.Linear(c['hidden_size'], c['hidden_size'])
        self.LayerNorm = torch.nn.LayerNorm(c['hidden_size'], eps=c['layer_norm_eps'])

    def forward(self, x):
        return self.LayerNorm(torch.nn.functional.gelu(self.dense(x)))


class Predictions(torch.nn.Module):
    def __init__(self, c):
        super().__init__()
        self.transform = Transform(c)
        self.decoder = torch.nn.Linear(c['hidden_size'], c['vocab_size'], bias=False)
        self.bias = torch.nn.Parameter(torch.zeros(c['vocab_size']))

    def forward(self, x):
        return self.decoder(self.transform(x)) + self.bias


class Heads(torch.nn.Module):
    def __init__(self, c):
        super().__init__()
        self.predictions = Predictions(c)


class BertForMaskedLM(torch.nn.Module):
    """transformers' `BertForMaskedLM` module tree (no pooler; decoder tied to the word embeddings), inference only."""

    def __init__(self, c):
        super().__init__()
        self.bert = Bert(c)
        self.cls = Heads(c)

    def forward(self, input_ids):
        return self.cls.predictions(self.bert(input_ids))


def load(model_dir):
    config_path = os.path.join(model_dir, 'config.json')
    if not os.path.exists(config_path):
        fail(f'{config_path} not found')
    config = json.load(open(config_path, encoding='utf8'))
    missing = [k for k in REQUIRED_CONFIG if k not in config]
    if missing:
        fail(f'{config_path}: missing {", ".join(missing)}')
    if config['model_type'] != 'bert' or config['hidden_act'] != 'gelu':
        fail(f'{config_path}: expected model_type bert and hidden_act gelu, got {config["model_type"]}, '
             f'{config["hidden_act"]}')
    try:
        import transformers  # noqa: F401
    except ImportError:
        transformers = None
    if transformers is not None:
        model, info = transformers.BertForMaskedLM.from_pretrained(model_dir, output_loading_info=True)
        missing = [k for k in info['missing_keys'] if not k.startswith('cls.predictions.decoder')]
        unexpected = [k for k in info['unexpected_keys'] if 'pooler' not in k]
        if missing or unexpected:
            fail(f'transformers: missing {missing}, unexpected {unexpected}')
        return 'transformers ' + transformers.__version__, lambda ids: model(input_ids=ids).logits
    weights_path = os.path.join(model_dir, 'model.safetensors')
    if not os.path.exists(weights_path):
        fail(f'{weights_path} not found')
    state = read_safetensors(weights_path)
    state = {k: v for k, v in state.items() if not k.startswith('bert.pooler.')}  # BertForMaskedLM has no pooler
    state.setdefault('cls.predictions.decoder.weight', state.get('bert.embeddings.word_embeddings.weight'))
    model = BertForMaskedLM(config)
    try:
        model.load_state_dict(state, strict=True)
    except RuntimeError as error:
        fail(f'{weights_path}: ' + ' '.join(str(error).split()))
    return 'BertForMaskedLM module tree (transformers not installed)', model


def main():
    if len(sys.argv) != 2:
        fail('usage: check_hf_bert.py MODEL_DIR < inputs.json')
    loader, model = load(sys.argv[1])
    if isinstance(model, torch.nn.Module):
        model.eval()
    vocab = [line.rstrip('\n') for line in open(os.path.join(sys.argv[1], 'vocab.txt'), encoding='utf8')]
    mask_id = vocab.index('[MASK]')
    results = []
    with torch.no_grad():
        for ids in json.load(sys.stdin)['inputs']:
            logits = model(torch.tensor([ids]))[0]
            top = []
            for position in (i for i, t in enumerate(ids) if t == mask_id):
                p = logits[position].softmax(-1)
                values, indices = p.topk(5)
                top.append([[int(i), float(v)] for v, i in zip(values, indices)])
            results.append(top)
    print(json.dumps({'loader': loader, 'vocab_size': len(vocab), 'top5': results}))


if __name__ == '__main__':
    main()
