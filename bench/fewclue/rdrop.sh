#!/usr/bin/env bash
# PET and fine-tuning with R-Drop (alpha 0.5) on the four tasks of issue 4's comparison, splits 0-4, with the grid's
# settings (bench/fewclue/grid.sh): ≤ 60 steps, 600 fixed-seed test examples, test scored on ONNX Runtime.
# Resumable (finished jobs are skipped). Merge (paired PET+R-Drop vs fine-tuning+R-Drop table; the committed report also
# has the grid's plain pet/finetune records of these four tasks in the merged directory, as columns beside them):
#   npx tsx scripts/fewclue-merge.ts --a pet+rdrop --b finetune+rdrop --out bench/results/fewclue-rdrop OUT_DIR
# The committed records are in bench/results/fewclue-rdrop/results (copy them into OUT_DIR/ to continue).
# usage: bench/fewclue/rdrop.sh OUT_DIR [WORKERS]
set -euo pipefail
out=${1:?usage: rdrop.sh OUT_DIR [WORKERS]}
workers=${2:-2}
node bin/fewprompt.mjs fewclue --data-dir "${FEWCLUE_DIR:-../shared/fewclue}" --max-steps 60 --max-test-examples 600 --no-predict-test \
  --eval-engine onnx --workers "$workers" --no-track --out "$out" \
  --tasks eprstmt,tnews,bustm,csl --methods pet+rdrop,finetune+rdrop --rdrop 0.5 --splits 0-4
