#!/usr/bin/env bash
# PET and fine-tuning, each followed by self-training on the task's unlabeled part (PET's semi-supervised stage:
# the trained model soft-labels 1,000 unlabeled examples — never a test text — and a new model from the pretrained
# weights trains 200 steps on labelled + pseudo-labelled examples), with the grid's settings (bench/fewclue/grid.sh):
# ≤ 60 steps for the first model, 600 fixed-seed test examples, test scored on ONNX Runtime, splits 0-4.
# Tasks with an unlabeled file in issue 4's comparison: eprstmt, tnews, bustm (CSL has none).
#   bench/fewclue/self-training.sh OUT_DIR [WORKERS] [TASKS]              pet+unlabeled, finetune+unlabeled
#   RDROP=0.5 bench/fewclue/self-training.sh OUT_DIR [WORKERS] [TASKS]    pet+rdrop+unlabeled (PaddleNLP's full recipe)
# Resumable (finished jobs are skipped). Report beside the plain and R-Drop records:
#   npx tsx scripts/self-training-report.ts --tasks eprstmt,tnews --out bench/results/fewclue-self-training-report OUT_DIR bench/results/fewclue-grid bench/results/fewclue-rdrop
set -euo pipefail
out=${1:?usage: self-training.sh OUT_DIR [WORKERS] [TASKS]}
workers=${2:-2}
tasks=${3:-eprstmt,tnews,bustm}
if [ -n "${RDROP:-}" ]; then methods=(--methods pet+rdrop+unlabeled --rdrop "$RDROP"); else methods=(--methods pet+unlabeled,finetune+unlabeled); fi
node bin/fewprompt.mjs fewclue --data-dir "${FEWCLUE_DIR:-../shared/fewclue}" --max-steps 60 --max-test-examples 600 --no-predict-test \
  --eval-engine onnx --workers "$workers" --no-track --out "$out" --tasks "$tasks" "${methods[@]}" --unlabeled 1000 --splits 0-4
