# Device: follow the run for N seconds (or until it ends); copy the log and the newest weights to $OUT.
end=$(( $(date +%s) + $1 ))
while [ $(date +%s) -lt $end ]; do
  sleep 20
  tr '\r' '\n' < /tmp/w/pretrain.log | grep -v '^$' | tail -1
  pgrep -f 'run.mjs pretrain' > /dev/null || { echo "run ended"; break; }
done
tr '\r' '\n' < /tmp/w/pretrain.log | grep -v '^\s*$' | awk 'NR%5==0 || /fewprompt|done|stopped|held-out|Error|error/' > $OUT/pretrain.log
tail -5 $OUT/pretrain.log
d=/tmp/w/runs/dev
if [ -f $d/training_state.json ]; then src=$d/model.safetensors; cp $d/training_state.json $d/config.json $OUT/; else src=$d/checkpoint/model.safetensors; cp $d/checkpoint/state.json $OUT/ 2>/dev/null || true; fi
[ -f $src ] && split -b 15M $src $OUT/weights.part. && ls -la $OUT
