# Device (run from the repository root, devcarry/ carried): unpack, start the data-parallel pretraining run in its own session, then watch it.
# usage: bash devcarry/start.sh WORKERS BATCH MAXSTEPS LR WATCH_SECONDS MAX_MINUTES
set -e
R=$(pwd)
bash devcarry/setup.sh
cd /tmp/w/app
lscpu | grep -E 'Model name|^CPU\(s\)' || true
setsid nohup ../node run.mjs pretrain --config $R/scripts/pretrain-zh-mini.json --init models/fewprompt-zh-mini --out /tmp/w/runs/dev \
  --no-wwm --workers $1 --batch-size $2 --max-steps $3 --lr $4 --warmup 20 --eval-every 100 --eval-chunks 200 \
  --checkpoint-minutes 4 --max-minutes $6 --save-dtype F16 --no-track > /tmp/w/pretrain.log 2>&1 < /dev/null &
cd $R && bash devcarry/watch.sh $5
