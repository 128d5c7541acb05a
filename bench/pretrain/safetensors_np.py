"""Reads a safetensors file into numpy (F32/F16) without the safetensors package; prints position-embedding stats.

    /usr/bin/python3 bench/pretrain/safetensors_np.py MODEL_DIR/model.safetensors
"""
import json
import struct
import sys

import numpy as np


def load(path):
    b = open(path, 'rb').read()
    n = struct.unpack('<Q', b[:8])[0]
    header = json.loads(b[8:8 + n])
    out = {}
    for k, v in header.items():
        if k == '__metadata__':
            continue
        s, e = v['data_offsets']
        dt = {'F32': np.float32, 'F16': np.float16}[v['dtype']]
        out[k] = np.frombuffer(b[8 + n + s:8 + n + e], dtype=dt).reshape(v['shape']).astype(np.float32)
    return out


def main():
    w = load(sys.argv[1])
    pos = [w[k] for k in w if 'position_embeddings' in k][0][:128]
    unit = pos / np.linalg.norm(pos, axis=1, keepdims=True)
    cos = unit @ unit.T
    for d in [1, 2, 4, 8, 16, 32, 64]:
        print(f'cosine of positions {d} apart: {np.mean([cos[i, i + d] for i in range(1, 128 - d)]):.3f}')
    word = [w[k] for k in w if 'word_embeddings' in k][0]
    print(f'RMS: positions {np.sqrt((pos ** 2).mean()):.4f}, words {np.sqrt((word ** 2).mean()):.4f}')


if __name__ == '__main__':
    main()
