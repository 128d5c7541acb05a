#!/usr/bin/env bash
# PET and fine-tuning, each followed by self-training on the task's unlabeled part (PET's semi-supervised stage:
# the trained model soft-labels 1,000 unlabeled examples — never a test text — and a new model from the pretrained
# weights trains 200 steps on labelled + pseudo-labelled examples), on the FewCLUE tasks that ship an unlabeled file
# and are in issue 4's comparison (EPRSTMT, BUSTM, TNEWS; CSL has none), splits 0-4, with the grid's settings
# (bench/fewclue/grid.sh): ≤ 60 steps for the first model, 600 fixed-seed test examples, test scored on ONNX Runtime.
# Resumable (finished jobs are skipped). Merge with the grid's plain records beside them:
#   npx tsx scripts/fewclue-merge.ts --a pet+unlabeled --b finetune --out bench/results/fewclue-self-training OUT_DIR bench/results/fewclue-grid
# usage: bench/fewclue/self-training.sh OUT_DIR [WORKERS]
set -euo pipefail
out=${1:?usage: self-training.sh OUT_DIR [WORKERS]}
workers=${2:-2}
node bin/fewprompt.mjs fewclue --data-dir "${FEWCLUE_DIR:-../shared/fewclue}" --max-steps 60 --max-test-examples 600 --no-predict-test \
  --eval-engine onnx --workers "$workers" --no-track --out "$out" \
  --tasks eprstmt,tnews,bustm --methods pet+unlabeled,finetune+unlabeled --unlabeled 1000 --splits 0-4
