#!/usr/bin/env python3
"""PyTorch reference timings for bench/engine: the same BERT configs and batches as the tfjs side.

Run by bench/engine/run.ts with Debian's python3-torch (+ libopenblas0-pthread). Prints one JSON object.
The model is a plain PyTorch BERT (post-LN, erf GELU, tied decoder); MLM logits are computed at the
masked positions only, as on the tfjs side.
"""
import json, math, resource, sys, time
import torch

torch.set_num_threads(int(sys.argv[2]) if len(sys.argv) > 2 else 2)
torch.manual_seed(0)


class Layer(torch.nn.Module):
    def __init__(self, h, nh, ff):
        super().__init__()
        self.nh = nh
        self.q, self.k, self.v, self.o = (torch.nn.Linear(h, h) for _ in range(4))
        self.ln1, self.ln2 = torch.nn.LayerNorm(h, eps=1e-12), torch.nn.LayerNorm(h, eps=1e-12)
        self.f1, self.f2 = torch.nn.Linear(h, ff), torch.nn.Linear(ff, h)
        self.drop = torch.nn.Dropout(0.1)

    def forward(self, x, bias):
        B, T, H = x.shape; hd = H // self.nh
        q = self.q(x).view(B, T, self.nh, hd).transpose(1, 2)
        k = self.k(x).view(B, T, self.nh, hd).transpose(1, 2)
        v = self.v(x).view(B, T, self.nh, hd).transpose(1, 2)
        p = self.drop(((q / math.sqrt(hd)) @ k.transpose(-1, -2) + bias).softmax(-1))
        ctx = (p @ v).transpose(1, 2).reshape(B, T, H)
        h1 = self.ln1(self.drop(self.o(ctx)) + x)
        return self.ln2(self.drop(self.f2(torch.nn.functional.gelu(self.f1(h1)))) + h1)


class Bert(torch.nn.Module):
    def __init__(self, c):
        super().__init__()
        h = c['hidden']
        self.word = torch.nn.Embedding(c['vocab'], h); self.pos = torch.nn.Embedding(512, h); self.typ = torch.nn.Embedding(2, h)
        self.ln = torch.nn.LayerNorm(h, eps=1e-12); self.drop = torch.nn.Dropout(0.1)
        self.layers = torch.nn.ModuleList(Layer(h, c['heads'], c['ffn']) for _ in range(c['layers']))
        self.tdense = torch.nn.Linear(h, h); self.tln = torch.nn.LayerNorm(h, eps=1e-12)
        self.bias = torch.nn.Parameter(torch.zeros(c['vocab']))

    def forward(self, ids, positions=None):
        B, T = ids.shape
        x = self.drop(self.ln(self.word(ids) + self.pos.weight[:T][None] + self.typ.weight[0]))
        bias = torch.zeros(B, 1, 1, T)
        for layer in self.layers: x = layer(x, bias)
        if positions is None: return x
        h = self.tln(torch.nn.functional.gelu(self.tdense(x.reshape(B * T, -1)[positions])))
        return h @ self.word.weight.T + self.bias


def batch(b, t, vocab, seed=1):
    g = torch.Generator().manual_seed(seed)
    ids = torch.randint(100, vocab, (b, t), generator=g)
    mask = torch.rand(b, t, generator=g) < 0.15
    positions = mask.reshape(-1).nonzero().squeeze(1)
    labels = ids.reshape(-1)[positions].clone(); ids.reshape(-1)[positions] = 103
    return ids, positions, labels


def run(name, c, steps, infer_reps, warmup=1):
    model = Bert(c)
    opt = torch.optim.AdamW(model.parameters(), lr=1e-4, weight_decay=0.01)
    ids, positions, labels = batch(8, 128, c['vocab'])
    model.train()
    times = []
    for i in range(steps + warmup):
        t0 = time.perf_counter()
        loss = torch.nn.functional.cross_entropy(model(ids, positions), labels)
        opt.zero_grad(); loss.backward(); opt.step()
        if i >= warmup: times.append(time.perf_counter() - t0)
    model.eval()
    ids32, _, _ = batch(32, 128, c['vocab'], 2)
    inf = []
    with torch.no_grad():
        for i in range(infer_reps + warmup):
            t0 = time.perf_counter(); model(ids32)
            if i >= warmup: inf.append(time.perf_counter() - t0)
    # Peak RSS of the process so far (configs run smallest first, so each row's peak is its own).
    return {'train_step_ms': 1000 * sorted(times)[len(times) // 2], 'infer_batch_ms': 1000 * sorted(inf)[len(inf) // 2],
            'peak_rss_mb': resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}


if __name__ == '__main__':
    configs = json.loads(sys.argv[1])
    out = {'torch': torch.__version__, 'threads': torch.get_num_threads(), 'blas': 'openblas' if 'openblas' in torch.__config__.show().lower() else 'see torch.__config__'}
    for name, c in configs.items():
        out[name] = run(name, c, c.get('steps', 3), c.get('infer_reps', 3), c.get('warmup', 1))
    print(json.dumps(out))
