#!/usr/bin/env python3
"""PyTorch eager reference for bench/inference: the same BERT weights (a safetensors file in Hugging Face
layout, read here without the safetensors package) and the same batches as the ONNX Runtime and tfjs sides.

    python3 torch_reference.py MODEL_DIR THREADS BATCHES SEQ MIN_SECONDS

Prints one JSON object: {"threads", "torch", "results": {batch: [ms per run, ...]}}. With BATCHES = 0 it is a
worker instead: one batch size per stdin line → one {"ms"} line, so the caller can interleave it with other engines.
The forward pass matches the exported PET graph: encoder, MLM transform at one mask position, tied
decoder, log-softmax over the vocabulary (the scores are compared with ORT's by the caller).
"""
import json, math, struct, sys, time
import torch

model_dir, threads, batches, seq, min_seconds = sys.argv[1], int(sys.argv[2]), [int(b) for b in sys.argv[3].split(',')], int(sys.argv[4]), float(sys.argv[5])
torch.set_num_threads(threads)
torch.set_grad_enabled(False)

DTYPES = {'F32': torch.float32, 'F16': torch.float16, 'BF16': torch.bfloat16}


def read_safetensors(path):
    with open(path, 'rb') as f:
        n = struct.unpack('<Q', f.read(8))[0]
        header = json.loads(f.read(n))
        data = f.read()
    out = {}
    for name, info in header.items():
        if name == '__metadata__':
            continue
        a, b = info['data_offsets']
        out[name] = torch.frombuffer(bytearray(data[a:b]), dtype=DTYPES[info['dtype']]).reshape(info['shape']).float()
    return out


cfg = json.load(open(f'{model_dir}/config.json'))
W = read_safetensors(f'{model_dir}/model.safetensors')
W = {k.replace('bert.', '', 1) if k.startswith('bert.') else k: v for k, v in W.items()}
H, NH, L, EPS = cfg['hidden_size'], cfg['num_attention_heads'], cfg['num_hidden_layers'], cfg.get('layer_norm_eps', 1e-12)
F = torch.nn.functional


def lin(x, p):
    return F.linear(x, W[f'{p}.weight'], W[f'{p}.bias'])


def ln(x, p):
    return F.layer_norm(x, (H,), W[f'{p}.weight'], W[f'{p}.bias'], EPS)


def forward(ids, mask, mask_pos):
    B, T = ids.shape
    e = 'embeddings'
    x = W[f'{e}.word_embeddings.weight'][ids] + W[f'{e}.position_embeddings.weight'][:T][None] + W[f'{e}.token_type_embeddings.weight'][0]
    x = ln(x, f'{e}.LayerNorm')
    bias = ((1.0 - mask.float()) * -1e9)[:, None, None, :]
    hd = H // NH
    for i in range(L):
        p = f'encoder.layer.{i}'
        q, k, v = (lin(x, f'{p}.attention.self.{n}').view(B, T, NH, hd).transpose(1, 2) for n in ('query', 'key', 'value'))
        probs = ((q @ k.transpose(-1, -2)) / math.sqrt(hd) + bias).softmax(-1)
        ctx = (probs @ v).transpose(1, 2).reshape(B, T, H)
        h1 = ln(lin(ctx, f'{p}.attention.output.dense') + x, f'{p}.attention.output.LayerNorm')
        x = ln(lin(F.gelu(lin(h1, f'{p}.intermediate.dense')), f'{p}.output.dense') + h1, f'{p}.output.LayerNorm')
    h = x[torch.arange(B), mask_pos]
    t = ln(F.gelu(lin(h, 'cls.predictions.transform.dense')), 'cls.predictions.transform.LayerNorm')
    return (t @ W['embeddings.word_embeddings.weight'].T + W['cls.predictions.bias']).log_softmax(-1)


inputs = {}


def batch(b):
    if b not in inputs:
        gen = torch.Generator().manual_seed(b)
        ids = torch.randint(1000, 7000, (b, seq), generator=gen)
        ids[:, 0] = 101
        inputs[b] = (ids, torch.ones(b, seq, dtype=torch.int64), torch.full((b,), 5, dtype=torch.int64))
    return inputs[b]


if batches == [0]:
    # Worker mode (interleaved timing): read a batch size per line, run once, print the milliseconds.
    print(json.dumps({'ready': True, 'torch': torch.__version__}), flush=True)
    for line in sys.stdin:
        b = int(line)
        args = batch(b)
        t0 = time.perf_counter()
        forward(*args)
        print(json.dumps({'ms': (time.perf_counter() - t0) * 1000}), flush=True)
    sys.exit(0)

results = {}
for b in batches:
    args = batch(b)
    forward(*args)  # warm-up
    times = []
    start = time.perf_counter()
    while len(times) < 3 or (time.perf_counter() - start < min_seconds and len(times) < 50):
        t0 = time.perf_counter()
        forward(*args)
        times.append((time.perf_counter() - t0) * 1000)
        if times[-1] > 4000:
            break
    results[str(b)] = times
print(json.dumps({'threads': threads, 'torch': torch.__version__, 'results': results}))
