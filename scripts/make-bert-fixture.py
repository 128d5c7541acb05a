#!/usr/bin/env python3
"""Reference fixtures for the BERT engine, from an independent PyTorch implementation.

Needs Debian's python3-torch (run with /usr/bin/python3); CI does not run this, it reads what it wrote:
  framework/model/fixtures/tiny-bert/   config.json, vocab.txt, model.safetensors  (Hugging Face layout)
  framework/model/fixtures/tiny-bert-reference.safetensors   batch, logits, loss, gradients, AdamW trajectory
  framework/model/fixtures/zh-mini-starter-fill-mask.json    top-k fill-mask scores on the shared starter model
The reference model is written here from the BERT paper / transformers' BertForMaskedLM (post-LN blocks,
erf GELU, tied decoder), not from fewprompt's code.
"""
import json, math, os, struct, sys
import numpy as np
import torch

torch.manual_seed(0)
ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), '..')
OUT = os.path.join(ROOT, 'framework/model/fixtures')


def write_safetensors(path, tensors, dtype='F32'):
    header, blobs, offset = {}, [], 0
    for name, t in tensors.items():
        arr = t.detach().cpu().numpy()
        if arr.dtype in (np.int64, np.int32):
            arr, dt = arr.astype('<i8'), 'I64'
        elif dtype == 'F16':
            arr, dt = arr.astype('<f2'), 'F16'
        else:
            arr, dt = arr.astype('<f4'), 'F32'
        b = arr.tobytes()
        header[name] = {'dtype': dt, 'shape': list(arr.shape), 'data_offsets': [offset, offset + len(b)]}
        blobs.append(b); offset += len(b)
    h = json.dumps(header).encode()
    h += b' ' * ((8 - len(h) % 8) % 8)
    with open(path, 'wb') as f:
        f.write(struct.pack('<Q', len(h))); f.write(h)
        for b in blobs: f.write(b)


def read_safetensors(path):
    with open(path, 'rb') as f:
        n = struct.unpack('<Q', f.read(8))[0]
        header = json.loads(f.read(n)); data = f.read()
    out = {}
    for k, v in header.items():
        if k == '__metadata__': continue
        dt = {'F32': '<f4', 'F16': '<f2', 'I64': '<i8'}[v['dtype']]
        a, b = v['data_offsets']
        out[k] = torch.from_numpy(np.frombuffer(data[a:b], dtype=dt).astype(np.float32 if dt != '<i8' else np.int64).reshape(v['shape']).copy())
    return out


class Bert(torch.nn.Module):
    def __init__(self, c):
        super().__init__()
        self.c = c
        H, I = c['hidden_size'], c['intermediate_size']
        self.p = torch.nn.ParameterDict()
        def add(name, *shape, kind='w'):
            t = torch.randn(*shape) * 0.2 if kind == 'w' else (1 + 0.1 * torch.randn(*shape) if kind == 'ln' else 0.1 * torch.randn(*shape))
            self.p[name.replace('.', '__')] = torch.nn.Parameter(t)
        add('embeddings.word_embeddings.weight', c['vocab_size'], H)
        add('embeddings.position_embeddings.weight', c['max_position_embeddings'], H)
        add('embeddings.token_type_embeddings.weight', c['type_vocab_size'], H)
        add('embeddings.LayerNorm.weight', H, kind='ln'); add('embeddings.LayerNorm.bias', H, kind='b')
        for i in range(c['num_hidden_layers']):
            p = f'encoder.layer.{i}'
            for n in ['attention.self.query', 'attention.self.key', 'attention.self.value', 'attention.output.dense']:
                add(f'{p}.{n}.weight', H, H); add(f'{p}.{n}.bias', H, kind='b')
            add(f'{p}.attention.output.LayerNorm.weight', H, kind='ln'); add(f'{p}.attention.output.LayerNorm.bias', H, kind='b')
            add(f'{p}.intermediate.dense.weight', I, H); add(f'{p}.intermediate.dense.bias', I, kind='b')
            add(f'{p}.output.dense.weight', H, I); add(f'{p}.output.dense.bias', H, kind='b')
            add(f'{p}.output.LayerNorm.weight', H, kind='ln'); add(f'{p}.output.LayerNorm.bias', H, kind='b')
        add('pooler.dense.weight', H, H); add('pooler.dense.bias', H, kind='b')
        add('cls.predictions.transform.dense.weight', H, H); add('cls.predictions.transform.dense.bias', H, kind='b')
        add('cls.predictions.transform.LayerNorm.weight', H, kind='ln'); add('cls.predictions.transform.LayerNorm.bias', H, kind='b')
        add('cls.predictions.bias', c['vocab_size'], kind='b')

    def w(self, name): return self.p[name.replace('.', '__')]
    def names(self): return [k.replace('__', '.') for k in self.p.keys()]

    def lin(self, x, name): return torch.nn.functional.linear(x, self.w(name + '.weight'), self.w(name + '.bias'))
    def ln(self, x, name): return torch.nn.functional.layer_norm(x, x.shape[-1:], self.w(name + '.weight'), self.w(name + '.bias'), self.c['layer_norm_eps'])
    def act(self, x): return torch.nn.functional.gelu(x)

    def forward(self, ids, types, mask):
        c = self.c; B, T = ids.shape; H = c['hidden_size']; nh = c['num_attention_heads']; hd = H // nh
        pos = torch.arange(T)
        x = self.w('embeddings.word_embeddings.weight')[ids] + self.w('embeddings.position_embeddings.weight')[pos][None] + self.w('embeddings.token_type_embeddings.weight')[types]
        x = self.ln(x, 'embeddings.LayerNorm')
        bias = (1.0 - mask[:, None, None, :].float()) * torch.finfo(torch.float32).min
        for i in range(c['num_hidden_layers']):
            p = f'encoder.layer.{i}'
            q = self.lin(x, f'{p}.attention.self.query').view(B, T, nh, hd).transpose(1, 2)
            k = self.lin(x, f'{p}.attention.self.key').view(B, T, nh, hd).transpose(1, 2)
            v = self.lin(x, f'{p}.attention.self.value').view(B, T, nh, hd).transpose(1, 2)
            s = q @ k.transpose(-1, -2) / math.sqrt(hd) + bias
            ctx = (s.softmax(-1) @ v).transpose(1, 2).reshape(B, T, H)
            h1 = self.ln(self.lin(ctx, f'{p}.attention.output.dense') + x, f'{p}.attention.output.LayerNorm')
            x = self.ln(self.lin(self.act(self.lin(h1, f'{p}.intermediate.dense')), f'{p}.output.dense') + h1, f'{p}.output.LayerNorm')
        h = self.ln(self.act(self.lin(x, 'cls.predictions.transform.dense')), 'cls.predictions.transform.LayerNorm')
        logits = h @ self.w('embeddings.word_embeddings.weight').T + self.w('cls.predictions.bias')
        pooled = torch.tanh(self.lin(x[:, 0], 'pooler.dense'))
        return logits, pooled


def tiny():
    os.makedirs(os.path.join(OUT, 'tiny-bert'), exist_ok=True)
    c = dict(architectures=['BertForMaskedLM'], model_type='bert', vocab_size=96, hidden_size=32, num_hidden_layers=2,
             num_attention_heads=4, intermediate_size=64, hidden_act='gelu', hidden_dropout_prob=0.1,
             attention_probs_dropout_prob=0.1, max_position_embeddings=64, type_vocab_size=2, layer_norm_eps=1e-12,
             initializer_range=0.02, pad_token_id=0)
    model = Bert(c)
    with open(os.path.join(OUT, 'tiny-bert/config.json'), 'w') as f: json.dump(c, f, indent=2)
    vocab = ['[PAD]', '[UNK]', '[CLS]', '[SEP]', '[MASK]'] + [chr(0x4e00 + i) for i in range(91)]
    with open(os.path.join(OUT, 'tiny-bert/vocab.txt'), 'w') as f: f.write('\n'.join(vocab) + '\n')
    # Hugging Face layout: encoder keys under bert., head keys as cls.*, tied decoder not stored.
    state = {('' if n.startswith('cls.') else 'bert.') + n: model.w(n) for n in model.names()}
    write_safetensors(os.path.join(OUT, 'tiny-bert/model.safetensors'), state)

    g = torch.Generator().manual_seed(1)
    B, T = 3, 12
    ids = torch.randint(5, 96, (B, T), generator=g); ids[:, 0] = 2
    mask = torch.ones(B, T, dtype=torch.long); mask[1, 9:] = 0; mask[2, 5:] = 0
    ids[mask == 0] = 0; ids[0, 11] = 3
    types = torch.zeros(B, T, dtype=torch.long); types[0, 6:] = 1
    labels = torch.full((B, T), -100); labels[0, 3] = ids[0, 3]; labels[1, 2] = ids[1, 2]; labels[1, 7] = ids[1, 7]; labels[2, 1] = ids[2, 1]
    ids_in = ids.clone(); ids_in[labels != -100] = 4

    logits, pooled = model(ids_in, types, mask)
    loss = torch.nn.functional.cross_entropy(logits.view(-1, c['vocab_size']), labels.view(-1), ignore_index=-100)
    loss.backward()
    out = {'input_ids': ids_in, 'token_type_ids': types, 'attention_mask': mask, 'labels': labels,
           'logits': logits.detach(), 'pooled': pooled.detach(), 'loss': loss.detach().reshape(1)}
    for n in model.names(): out['grad.' + n] = model.w(n).grad.clone() if model.w(n).grad is not None else torch.zeros_like(model.w(n))

    # AdamW trajectory: 5 steps, linear warm-up 2 then linear decay to 0 at step 10, clip at global norm 1.0.
    decay = [model.w(n) for n in model.names() if not (n.endswith('.bias') or 'LayerNorm' in n)]
    no_decay = [model.w(n) for n in model.names() if n.endswith('.bias') or 'LayerNorm' in n]
    opt = torch.optim.AdamW([{'params': decay, 'weight_decay': 0.01}, {'params': no_decay, 'weight_decay': 0.0}], lr=1e-2, betas=(0.9, 0.999), eps=1e-6)
    sched = torch.optim.lr_scheduler.LambdaLR(opt, lambda s: s / 2 if s < 2 else max(0.0, (10 - s) / 8))
    losses = []
    model.zero_grad()
    for step in range(5):
        logits, _ = model(ids_in, types, mask)
        l = torch.nn.functional.cross_entropy(logits.view(-1, c['vocab_size']), labels.view(-1), ignore_index=-100)
        losses.append(l.item())
        opt.zero_grad(); l.backward()
        torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
        opt.step(); sched.step()
    out['adamw.losses'] = torch.tensor(losses)
    for n in model.names(): out['adamw.' + n] = model.w(n).detach().clone()
    write_safetensors(os.path.join(OUT, 'tiny-bert-reference.safetensors'), out)
    print('tiny fixture: loss', loss.item(), 'adamw losses', losses)


def starter(model_dir):
    """fill-mask top-5 on the shared starter model (F16 weights, decoder tied)."""
    c = json.load(open(os.path.join(model_dir, 'config.json')))
    vocab = [l.rstrip('\n') for l in open(os.path.join(model_dir, 'vocab.txt'), encoding='utf-8')]
    index = {t: i for i, t in enumerate(vocab)}
    st = read_safetensors(os.path.join(model_dir, 'model.safetensors'))
    model = Bert(c)
    with torch.no_grad():
        for n in model.names():
            key = n if n.startswith('cls.') else 'bert.' + n
            model.w(n).copy_(st[key])
    sentences = ['中华人民共和[MASK]', '今天天气很[MASK]。', '我喜欢吃[MASK]果', '这家店的服务态度非常[MASK]', '北[MASK]是中国的首都']
    results = []
    for s in sentences:
        toks = ['[CLS]']; i = 0
        while i < len(s):
            if s.startswith('[MASK]', i): toks.append('[MASK]'); i += 6
            else: toks.append(s[i] if s[i] in index else '[UNK]'); i += 1
        toks.append('[SEP]')
        ids = torch.tensor([[index[t] for t in toks]])
        with torch.no_grad():
            logits, _ = model(ids, torch.zeros_like(ids), torch.ones_like(ids))
        pos = toks.index('[MASK]')
        probs = logits[0, pos].double().softmax(-1)
        top = probs.topk(5)
        results.append({'text': s, 'top': [{'token': vocab[j], 'token_id': int(j), 'score': float(p)} for p, j in zip(top.values, top.indices)]})
    with open(os.path.join(OUT, 'zh-mini-starter-fill-mask.json'), 'w') as f: json.dump(results, f, ensure_ascii=False, indent=1)
    print(json.dumps(results[0], ensure_ascii=False))


if __name__ == '__main__':
    tiny()
    starter_dir = sys.argv[1] if len(sys.argv) > 1 else os.path.join(ROOT, '../shared/models/zh-mini-starter')
    if os.path.isdir(starter_dir): starter(starter_dir)
