#!/usr/bin/python3
"""Write the tiny checkpoint fixtures under framework/checkpoint/fixtures/.

Dev tool only (CI never runs it): needs /usr/bin/python3 with Debian's python3-torch (transformers is
not needed; the state dict is built by hand with Hugging Face BertForMaskedLM key names).

    /usr/bin/python3 scripts/make-checkpoint-fixtures.py

Writes:
  tiny-bert/pytorch_model.bin   torch.save zip format; holds a transposed (non-contiguous) view, views with
                                a storage offset into one fused QKV storage, an F16 and a BF16 tensor, and
                                an int64 buffer
  tiny-bert/model.safetensors   the same tensors, written by hand (F32, plus the F16 / BF16 ones as such)
  tiny-bert/config.json, vocab.txt
  legacy.bin                    a pre-1.6 (non-zip) torch.save file, which the reader must refuse clearly
  expected.json                 per key: dtype, shape, sum (float64) and the first values, after upcasting
  half-vectors.json             float32 bit patterns with numpy's F16 and torch's BF16 rounding of each
"""
import json
import os
import struct
from collections import OrderedDict

import numpy as np
import torch

ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', 'framework', 'checkpoint', 'fixtures')
VOCAB, HIDDEN, LAYERS, INTER, POSITIONS = 24, 8, 2, 16, 16

torch.manual_seed(20240611)


def randn(*shape):
    return (torch.randn(*shape) * 0.5).float()


def build_state_dict():
    sd = OrderedDict()
    sd['bert.embeddings.word_embeddings.weight'] = randn(VOCAB, HIDDEN).half()  # F16 on disk
    sd['bert.embeddings.position_embeddings.weight'] = randn(POSITIONS, HIDDEN)
    sd['bert.embeddings.token_type_embeddings.weight'] = randn(2, HIDDEN).bfloat16()  # BF16 on disk
    sd['bert.embeddings.LayerNorm.weight'] = 1 + randn(HIDDEN) * 0.1
    sd['bert.embeddings.LayerNorm.bias'] = randn(HIDDEN) * 0.1
    sd['bert.embeddings.position_ids'] = torch.arange(POSITIONS, dtype=torch.int64).unsqueeze(0)
    for i in range(LAYERS):
        p = f'bert.encoder.layer.{i}.'
        # one fused storage, three views with storage offsets 0, H*H, 2*H*H
        qkv = randn(3 * HIDDEN, HIDDEN)
        sd[p + 'attention.self.query.weight'] = qkv[0:HIDDEN]
        sd[p + 'attention.self.key.weight'] = qkv[HIDDEN:2 * HIDDEN]
        sd[p + 'attention.self.value.weight'] = qkv[2 * HIDDEN:]
        for name in ('query', 'key', 'value'):
            sd[p + f'attention.self.{name}.bias'] = randn(HIDDEN) * 0.1
        sd[p + 'attention.output.dense.weight'] = randn(HIDDEN, HIDDEN)
        sd[p + 'attention.output.dense.bias'] = randn(HIDDEN) * 0.1
        sd[p + 'attention.output.LayerNorm.weight'] = 1 + randn(HIDDEN) * 0.1
        sd[p + 'attention.output.LayerNorm.bias'] = randn(HIDDEN) * 0.1
        # stored transposed: a non-contiguous view (strides (1, INTER)) of an [HIDDEN, INTER] storage
        sd[p + 'intermediate.dense.weight'] = randn(HIDDEN, INTER).t()
        sd[p + 'intermediate.dense.bias'] = randn(INTER) * 0.1
        sd[p + 'output.dense.weight'] = randn(HIDDEN, INTER)
        sd[p + 'output.dense.bias'] = randn(HIDDEN) * 0.1
        sd[p + 'output.LayerNorm.weight'] = 1 + randn(HIDDEN) * 0.1
        sd[p + 'output.LayerNorm.bias'] = randn(HIDDEN) * 0.1
    sd['bert.pooler.dense.weight'] = randn(HIDDEN, HIDDEN)
    sd['bert.pooler.dense.bias'] = randn(HIDDEN) * 0.1
    sd['cls.predictions.bias'] = randn(VOCAB) * 0.1
    sd['cls.predictions.transform.dense.weight'] = randn(HIDDEN, HIDDEN)
    sd['cls.predictions.transform.dense.bias'] = randn(HIDDEN) * 0.1
    sd['cls.predictions.transform.LayerNorm.weight'] = 1 + randn(HIDDEN) * 0.1
    sd['cls.predictions.transform.LayerNorm.bias'] = randn(HIDDEN) * 0.1
    return sd


ST_DTYPES = {torch.float32: 'F32', torch.float16: 'F16', torch.bfloat16: 'BF16', torch.int64: 'I64'}


def write_safetensors(path, sd):
    header, blobs, offset = OrderedDict(), [], 0
    header['__metadata__'] = {'format': 'pt'}
    for key, t in sd.items():
        t = t.contiguous()
        raw = (t.view(torch.int16) if t.element_size() == 2 else t).numpy().tobytes()
        header[key] = {'dtype': ST_DTYPES[t.dtype], 'shape': list(t.shape), 'data_offsets': [offset, offset + len(raw)]}
        blobs.append(raw)
        offset += len(raw)
    text = json.dumps(header, separators=(',', ':')).encode()
    text += b' ' * (-(8 + len(text)) % 8)  # pad with spaces so the data starts 8-aligned, as HF does
    with open(path, 'wb') as f:
        f.write(struct.pack('<Q', len(text)))
        f.write(text)
        for raw in blobs:
            f.write(raw)


def expected(sd):
    out = OrderedDict()
    for key, t in sd.items():
        flat = t.contiguous().flatten()
        is_int = not t.dtype.is_floating_point
        out[key] = {
            'dtype': str(t.dtype).replace('torch.', ''),
            'shape': list(t.shape),
            'sum': int(flat.sum().item()) if is_int else float(flat.double().sum().item()),
            'first': [int(v) for v in flat[:4].tolist()] if is_int else [float(v) for v in flat[:4].double().tolist()],
            'last': int(flat[-1].item()) if is_int else float(flat[-1].double().item()),
        }
    return out


def half_vectors():
    """Random and edge-case float32 values, with reference F16 (numpy) and BF16 (torch) bit patterns."""
    rng = np.random.default_rng(7)
    bits = np.concatenate([
        rng.integers(0, 2**32, 600, dtype=np.uint64).astype(np.uint32),  # any pattern, NaNs included
        (rng.standard_normal(300) * 10.0 ** rng.integers(-9, 6, 300)).astype(np.float32).view(np.uint32),
        np.array([0x33000000, 0x33000001, 0x33400000, 0x387fc000, 0x38800000, 0x477fe000, 0x477fefff,
                  0x477ff000, 0x3f801000, 0x3f803000, 0x3f808000, 0x3f818000, 0x7f7fffff, 0x80000000,
                  0x7f800000, 0xff800000, 0x00000001], dtype=np.uint32),
    ])
    f32 = bits.view(np.float32)
    with np.errstate(over='ignore', invalid='ignore'):
        f16 = f32.astype(np.float16).view(np.uint16)
        keep = ~np.isnan(f32)
    bf16 = torch.from_numpy(f32.copy()).bfloat16().view(torch.int16).numpy().view(np.uint16)  # NaN payload handling differs between libraries; tested separately
    return {'f32': bits[keep].tolist(), 'f16': f16[keep].tolist(), 'bf16': bf16[keep].tolist()}


def main():
    tiny = os.path.join(ROOT, 'tiny-bert')
    os.makedirs(tiny, exist_ok=True)
    sd = build_state_dict()
    assert not sd['bert.encoder.layer.0.intermediate.dense.weight'].is_contiguous()
    assert sd['bert.encoder.layer.0.attention.self.key.weight'].storage_offset() == HIDDEN * HIDDEN
    torch.save(sd, os.path.join(tiny, 'pytorch_model.bin'))
    write_safetensors(os.path.join(tiny, 'model.safetensors'), sd)
    config = {
        'architectures': ['BertForMaskedLM'], 'model_type': 'bert', 'vocab_size': VOCAB, 'hidden_size': HIDDEN,
        'num_hidden_layers': LAYERS, 'num_attention_heads': 2, 'intermediate_size': INTER, 'hidden_act': 'gelu',
        'max_position_embeddings': POSITIONS, 'type_vocab_size': 2, 'layer_norm_eps': 1e-12, 'pad_token_id': 0,
    }
    with open(os.path.join(tiny, 'config.json'), 'w') as f:
        json.dump(config, f, indent=2)
        f.write('\n')
    vocab = ['[PAD]', '[UNK]', '[CLS]', '[SEP]', '[MASK]'] + list('好差很不是的我们这个电影非常喜欢讨厌了')
    assert len(vocab) == VOCAB, len(vocab)
    with open(os.path.join(tiny, 'vocab.txt'), 'w') as f:
        f.write('\n'.join(vocab) + '\n')
    legacy = OrderedDict([('weight', torch.arange(6, dtype=torch.float32).reshape(2, 3))])
    torch.save(legacy, os.path.join(ROOT, 'legacy.bin'), _use_new_zipfile_serialization=False)
    with open(os.path.join(ROOT, 'half-vectors.json'), 'w') as f:
        json.dump(half_vectors(), f, separators=(',', ':'))
        f.write('\n')
    with open(os.path.join(ROOT, 'expected.json'), 'w') as f:
        json.dump(expected(sd), f, indent=1)
        f.write('\n')


if __name__ == '__main__':
    main()
