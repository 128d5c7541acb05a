# Python onnxruntime check of fewprompt bundles: same feeds, same scores as onnxruntime-node gave.
import json, os, sys
import numpy as np
import onnxruntime as ort
here = sys.argv[1] if len(sys.argv) > 1 else os.path.dirname(os.path.abspath(__file__))
cases = json.load(open(os.path.join(here, 'cases.json')))
rows = []
print('onnxruntime', ort.__version__)
for c in cases:
    path = os.path.join(here, c['bundle'], 'model.onnx')
    if not os.path.exists(path):
        continue
    for level in ('all', 'none'):
        so = ort.SessionOptions()
        so.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_ALL if level == 'all' else ort.GraphOptimizationLevel.ORT_DISABLE_ALL
        try:
            s = ort.InferenceSession(path, so, providers=['CPUExecutionProvider'])
            feeds = {k: np.array(v['data'], dtype=np.int32).reshape(v['dims']) for k, v in c['feeds'].items()}
            out = s.run(['scores'], feeds)[0]
            ref = np.array(c['scores'], dtype=np.float32)
            diff = float(np.abs(out - ref).max())
            agree = float((out.argmax(1) == ref.argmax(1)).mean())
            ops = sorted({f'{n.domain or "ai.onnx"}:{n.op_type}' for n in __import__('onnx').load(path).graph.node}) if level == 'all' else []
            rows.append({'bundle': c['bundle'], 'optimization': level, 'max_abs_diff': diff, 'label_agreement': agree, 'inputs': [i.name for i in s.get_inputs()], 'ops': ops})
            print(c['bundle'], level, 'max|diff|', diff, 'agreement', agree)
        except Exception as e:
            rows.append({'bundle': c['bundle'], 'optimization': level, 'error': str(e)[:500]})
            print(c['bundle'], level, 'ERROR', str(e)[:300])
out = os.environ.get('OUT', '.')
json.dump({'onnxruntime': ort.__version__, 'python': sys.version.split()[0], 'rows': rows}, open(os.path.join(out, 'python-ort.json'), 'w'), indent=1)
