"""PyTorch reference for short pretraining comparisons: a BERT (bench/engine's model) trained from scratch with
character masking (15%, 80/10/10), AdamW (decay on matrices only), linear warm-up 200 and decay, clipping at 1.
Prints held-out accuracy in order and with the context shuffled (masks kept) every 250 steps.

    B=64 T=32 STEPS=2000 /usr/bin/python3 bench/pretrain/torch_mlm_reference.py THREADS LAYERS,HIDDEN,HEADS,FFN LR \
        DROPOUT [--write-mix FILE]

Documents: the first 8,000 lines of each `../shared/corpora/pretrain/*.txt`, shuffled with seed 0; `--write-mix FILE`
writes them one per line, so `fewprompt pretrain --corpus FILE --no-wwm` trains on the same text.
"""
import glob
import json
import os
import random
import sys
import time

import torch

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, '..', 'engine'))
_argv, sys.argv = sys.argv, sys.argv[:1]
from torch_reference import Bert  # noqa: E402  (it reads sys.argv at import)
sys.argv = _argv



def documents():
    docs = []
    for path in sorted(glob.glob(os.path.join(HERE, '../../../shared/corpora/pretrain/*.txt'))):
        with open(path, encoding='utf8') as f:
            for i, line in enumerate(f):
                if i >= 8000:
                    break
                if len(line.strip()) >= 5:
                    docs.append(line.strip())
    random.Random(0).shuffle(docs)
    return docs


def mask_batch(x, gen, ids):
    x = x.clone()
    chosen = (torch.rand(x.shape, generator=gen) < 0.15) & (x != ids['[CLS]']) & (x != ids['[SEP]'])
    labels = x[chosen].clone()
    r = torch.rand(labels.shape, generator=gen)
    replaced = labels.clone()
    replaced[r < 0.8] = ids['[MASK]']
    rand = (r >= 0.8) & (r < 0.9)
    replaced[rand] = torch.randint(1000, len(ids), (int(rand.sum()),), generator=gen)
    x[chosen] = replaced
    return x, chosen.reshape(-1).nonzero().squeeze(1), labels


def shuffle_context(x, positions):
    masked = torch.zeros(x.numel(), dtype=torch.bool)
    masked[positions] = True
    masked = masked.view(x.shape)
    out, g = x.clone(), torch.Generator().manual_seed(5)
    for r in range(x.shape[0]):
        keep = (~masked[r]).nonzero().squeeze(1)[1:]
        out[r, keep] = x[r, keep[torch.randperm(len(keep), generator=g)]]
    return out


def main():
    threads = int(sys.argv[1])
    LAYERS, HIDDEN, HEADS, FFN = (int(v) for v in sys.argv[2].split(','))
    LR, DROPOUT = float(sys.argv[3]), float(sys.argv[4])
    STEPS, WARMUP = int(os.environ.get('STEPS', 2000)), 200
    BATCH, SEQ = int(os.environ.get('B', 32)), int(os.environ.get('T', 64))
    torch.set_num_threads(threads)
    vocab_path = os.path.join(HERE, '../../models/fewprompt-zh-mini/vocab.txt')
    ids = {t.rstrip('\n'): i for i, t in enumerate(open(vocab_path, encoding='utf8'))}
    docs = documents()
    if '--write-mix' in sys.argv:
        open(sys.argv[sys.argv.index('--write-mix') + 1], 'w', encoding='utf8').write('\n'.join(docs) + '\n')
    stream = []
    for d in docs:
        stream.extend(ids.get(c.lower(), ids['[UNK]']) for c in d if not c.isspace())
        stream.append(ids['[SEP]'])
    n = len(stream) // (SEQ - 1)
    chunks = torch.cat([torch.full((n, 1), ids['[CLS]']), torch.tensor(stream[: n * (SEQ - 1)]).view(n, SEQ - 1)], 1)
    held, train = chunks[:200], chunks[200:]
    print(json.dumps({'docs': len(docs), 'tokens': len(stream), 'chunks': n}), flush=True)
    torch.manual_seed(0)
    model = Bert(dict(vocab=len(ids), hidden=HIDDEN, heads=HEADS, ffn=FFN, layers=LAYERS))
    for m in model.modules():
        if isinstance(m, (torch.nn.Linear, torch.nn.Embedding)):
            m.weight.data.normal_(0, 0.02)
        if isinstance(m, torch.nn.Linear):
            m.bias.data.zero_()
        if isinstance(m, torch.nn.Dropout):
            m.p = DROPOUT
    params = list(model.parameters())
    opt = torch.optim.AdamW([{'params': [p for p in params if p.dim() >= 2], 'weight_decay': 0.01},
                             {'params': [p for p in params if p.dim() < 2], 'weight_decay': 0.0}], lr=LR)
    hx, hpos, hlab = mask_batch(held, torch.Generator().manual_seed(7), ids)
    hshuffled = shuffle_context(hx, hpos)
    g, t0 = torch.Generator().manual_seed(1), time.time()
    for step in range(STEPS + 1):
        if step % 250 == 0:
            model.eval()
            with torch.no_grad():
                logits = model(hx, hpos)
                acc = (logits.argmax(-1) == hlab).float().mean().item()
                loss = torch.nn.functional.cross_entropy(logits, hlab).item()
                shuffled = (model(hshuffled, hpos).argmax(-1) == hlab).float().mean().item()
            model.train()
            print(f'step {step} heldout acc {acc:.4f} shuffled {shuffled:.4f} loss {loss:.3f} '
                  f'{time.time() - t0:.0f}s', flush=True)
        if step == STEPS:
            break
        for group in opt.param_groups:
            group['lr'] = LR * min((step + 1) / WARMUP, max(0.0, (STEPS - step) / (STEPS - WARMUP)))
        x, pos, lab = mask_batch(train[torch.randint(0, len(train), (BATCH,), generator=g)], g, ids)
        loss = torch.nn.functional.cross_entropy(model(x, pos), lab)
        opt.zero_grad()
        loss.backward()
        torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
        opt.step()


if __name__ == '__main__':
    main()
