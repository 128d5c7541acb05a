"""Does a BERT checkpoint use word order? Character-masked accuracy on CMRC 2018 dev contexts with the context in
order vs shuffled (the masks kept in place). Equal numbers: the model reads its context as a bag of characters.

    /usr/bin/python3 bench/pretrain/order_probe.py MODEL_DIR/model.safetensors [CMRC_DEV_JSON]
"""
import json
import os
import sys

import torch

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, '..', 'engine'))
sys.path.insert(0, HERE)
_argv, sys.argv = sys.argv, sys.argv[:1]
from torch_reference import Bert  # noqa: E402  (it reads sys.argv at import)
sys.argv = _argv
from safetensors_np import load  # noqa: E402

LAYER_KEYS = [('q', 'attention.self.query'), ('k', 'attention.self.key'), ('v', 'attention.self.value'),
              ('o', 'attention.output.dense'), ('ln1', 'attention.output.LayerNorm'), ('f1', 'intermediate.dense'),
              ('f2', 'output.dense'), ('ln2', 'output.LayerNorm')]


def reference_model(path):
    """The bench/engine PyTorch BERT with the checkpoint's weights (Hugging Face key names)."""
    w = load(path)
    cfg = json.load(open(os.path.join(os.path.dirname(path), 'config.json')))
    model = Bert(dict(vocab=cfg['vocab_size'], hidden=cfg['hidden_size'], heads=cfg['num_attention_heads'],
                      ffn=cfg['intermediate_size'], layers=cfg['num_hidden_layers']))
    t = lambda k: torch.tensor(w[k])  # noqa: E731
    e = 'bert.embeddings.'
    sd = {'word.weight': t(e + 'word_embeddings.weight'), 'pos.weight': t(e + 'position_embeddings.weight'),
          'typ.weight': t(e + 'token_type_embeddings.weight'), 'ln.weight': t(e + 'LayerNorm.weight'),
          'ln.bias': t(e + 'LayerNorm.bias'), 'tdense.weight': t('cls.predictions.transform.dense.weight'),
          'tdense.bias': t('cls.predictions.transform.dense.bias'), 'bias': t('cls.predictions.bias'),
          'tln.weight': t('cls.predictions.transform.LayerNorm.weight'),
          'tln.bias': t('cls.predictions.transform.LayerNorm.bias')}
    for i in range(cfg['num_hidden_layers']):
        for ours, hf in LAYER_KEYS:
            for kind in ('weight', 'bias'):
                sd[f'layers.{i}.{ours}.{kind}'] = t(f'bert.encoder.layer.{i}.{hf}.{kind}')
    model.load_state_dict(sd)
    return model.eval()


def main():
    torch.set_num_threads(1)
    model = reference_model(sys.argv[1])
    vocab_file = os.path.join(os.path.dirname(sys.argv[1]), 'vocab.txt')
    ids = {t.rstrip('\n'): i for i, t in enumerate(open(vocab_file, encoding='utf8'))}
    unk, cls, sep, mask = ids['[UNK]'], ids['[CLS]'], ids['[SEP]'], ids['[MASK]']
    dev = sys.argv[2] if len(sys.argv) > 2 else os.path.join(HERE, '../../../shared/corpora/cmrc2018_dev.json')
    data = json.load(open(dev, encoding='utf8'))
    rows = []
    for text in (p['context'] for a in data['data'] for p in a['paragraphs']):
        toks = [ids.get(ch.lower(), unk) for ch in text if not ch.isspace()][:126]
        if len(toks) == 126:
            rows.append([cls] + toks + [sep])
    x = torch.tensor(rows[:200])
    g = torch.Generator().manual_seed(3)
    masked = (torch.rand(x.shape, generator=g) < 0.15) & (x != cls) & (x != sep)
    labels = x[masked].clone()
    xm = x.clone()
    xm[masked] = mask
    positions = masked.reshape(-1).nonzero().squeeze(1)
    shuffled = xm.clone()
    for r in range(shuffled.shape[0]):
        keep = (~masked[r]).nonzero().squeeze(1)[1:-1]
        shuffled[r, keep] = xm[r, keep[torch.randperm(len(keep), generator=g)]]
    with torch.no_grad():
        acc = [(model(inp, positions).argmax(-1) == labels).float().mean().item() for inp in (xm, shuffled)]
    print(f'{sys.argv[1]}: in order {acc[0]:.4f}, context shuffled {acc[1]:.4f} ({len(labels)} masks)')


if __name__ == '__main__':
    main()
