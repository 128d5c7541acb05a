#!/usr/bin/env bash
# The FewCLUE grid with the shipped model, in the order that answers the open questions first:
#   1. PET vs fine-tuning on EPRSTMT, BUSTM, CSL, TNEWS over splits 0-4 (issue 4's comparison)
#   2. every task × method on split 0 (EFL on CSLDCP and IFLYTEK last: 67 and 119 pairs per example)
#   3. the rest of splits 1-4, cheap methods first, EFL on the many-label tasks last.
# Each stage is one resumable `fewprompt fewclue` call into the same --out (finished jobs are skipped), so the
# script can be stopped and restarted at any point. Test examples are scored on ONNX Runtime (the exported model,
# checked against tfjs on dev every run); the scoring engine is not part of a result's identity. Merge into bench/results with scripts/fewclue-merge.ts.
# The finished jobs of the committed grid are in bench/results/fewclue-grid/results (the suite's own record files): to
# continue it on a fresh machine, `mkdir -p OUT && cp -r bench/results/fewclue-grid/results OUT/` first.
# usage: bench/fewclue/grid.sh OUT_DIR [WORKERS]
set -euo pipefail
out=${1:?usage: grid.sh OUT_DIR [WORKERS]}
workers=${2:-2}
common=(--data-dir "${FEWCLUE_DIR:-../shared/fewclue}" --max-steps 60 --max-test-examples 600 --no-predict-test --eval-engine onnx
        --workers "$workers" --no-track --out "$out")
run() { node bin/fewprompt.mjs fewclue "${common[@]}" "$@"; }
key=eprstmt,bustm,csl,tnews
others=ocnli,cluewsc,chid,csldcp,iflytek
run --tasks $key --methods pet,finetune --splits 0-4
run --tasks $key,ocnli,cluewsc,chid --methods pet,finetune,ptuning,efl --splits 0
run --tasks csldcp,iflytek --methods pet,finetune,ptuning,efl --splits 0
run --tasks $others --methods pet,finetune --splits 1-4
run --tasks $key,ocnli,cluewsc,chid --methods ptuning,efl --splits 1-4
run --tasks csldcp,iflytek --methods ptuning --splits 1-4
run --tasks csldcp,iflytek --methods efl --splits 1-4
