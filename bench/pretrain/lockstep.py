"""Lock-step check of fewprompt's pretraining step against PyTorch: the same initial weights, the same masked batches,
no dropout, AdamW (decay on matrices and embeddings, none on biases and LayerNorm), clipping at 1, fewprompt's
warm-up/linear schedule. Writes the batches for `lockstep.ts` and prints PyTorch's loss per step as JSON.

    /usr/bin/python3 bench/pretrain/lockstep.py MODEL_DIR CORPUS.txt STEPS BATCHES.bin > torch.json
"""
import json
import os
import struct
import sys

import torch

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
from order_probe import reference_model  # noqa: E402
from torch_mlm_reference import mask_batch  # noqa: E402

LR, WARMUP, B, T = 1e-3, 20, 64, 32


def batches(corpus, ids, steps):
    stream = []
    for line in open(corpus, encoding='utf8'):
        stream.extend(ids.get(c.lower(), ids['[UNK]']) for c in line.strip() if not c.isspace())
        stream.append(ids['[SEP]'])
        if len(stream) > steps * B * T:
            break
    chunks = torch.tensor(stream[: steps * B * (T - 1)]).view(steps * B, T - 1)
    chunks = torch.cat([torch.full((steps * B, 1), ids['[CLS]']), chunks], 1)
    g = torch.Generator().manual_seed(1)
    for s in range(steps):
        yield mask_batch(chunks[s * B:(s + 1) * B], g, ids)


def main():
    torch.set_num_threads(2)
    model_dir, corpus, steps, out = sys.argv[1], sys.argv[2], int(sys.argv[3]), sys.argv[4]
    ids = {t.rstrip('\n'): i for i, t in enumerate(open(os.path.join(model_dir, 'vocab.txt'), encoding='utf8'))}
    # eval(): the reference's Dropout(0.1) modules off (gradients still flow; the model has no batch norm).
    model = reference_model(os.path.join(model_dir, 'model.safetensors')).eval()
    decay = [p for n, p in model.named_parameters() if p.dim() >= 2]
    no_decay = [p for n, p in model.named_parameters() if p.dim() < 2]
    opt = torch.optim.AdamW([{'params': decay, 'weight_decay': 0.01}, {'params': no_decay, 'weight_decay': 0.0}],
                            lr=LR)
    losses = []
    with open(out, 'wb') as f:
        f.write(struct.pack('<iii', steps, B, T))
        for s, (x, pos, lab) in enumerate(batches(corpus, ids, steps)):
            f.write(struct.pack('<i', len(pos)))
            f.write(x.to(torch.int32).numpy().tobytes() + pos.to(torch.int32).numpy().tobytes()
                    + lab.to(torch.int32).numpy().tobytes())
            scale = s / WARMUP if s < WARMUP else max(0.0, 1 - (s - WARMUP) / (steps - WARMUP))
            for group in opt.param_groups:
                group['lr'] = LR * scale
            loss = torch.nn.functional.cross_entropy(model(x, pos), lab)
            opt.zero_grad()
            loss.backward()
            torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
            opt.step()
            losses.append(round(loss.item(), 6))
    print(json.dumps({'engine': 'pytorch', 'losses': losses}))


if __name__ == '__main__':
    main()
