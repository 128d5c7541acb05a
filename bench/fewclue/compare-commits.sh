#!/usr/bin/env bash
# Does a change alter seeded training results? Runs FewCLUE grid records' configurations (`fewprompt train --config`)
# at two commits, each in a detached git worktree sharing this checkout's node_modules, and compares the training
# loss of every step, the best dev step, dev and test accuracy. Prints one line per record and exits 1 if any differ
# (results, or losses by more than float rounding, 1e-6).
# The records' own numbers are not compared: they were trained before Engine v2 changed every dropout mask (3ed2036).
#   bench/fewclue/compare-commits.sh BASE HEAD eprstmt/pet/0 eprstmt/efl/0 …
# Environment: FEWPROMPT_BACKEND (default: the fastest here), MAX_TEST (test examples scored; default 200).
set -euo pipefail
base=${1:?usage: compare-commits.sh BASE HEAD RECORD...}; head=${2:?}; shift 2
root=$(git rev-parse --show-toplevel)
work=$(mktemp -d /tmp/fewprompt-compare-XXXX)
trap 'for c in a b; do git -C "$root" worktree remove --force "$work/$c" 2>/dev/null || true; done; rm -rf "$work"' EXIT
for c in a b; do
  commit=$([ $c = a ] && echo "$base" || echo "$head")
  git -C "$root" worktree add -q --detach "$work/$c" "$commit"
  ln -s "$root/node_modules" "$work/$c/node_modules"
done
status=0
for record in "$@"; do
  python3 - "$root/bench/results/fewclue-grid/results/$record.json" "${MAX_TEST:-200}" "$root" > "$work/config.json" <<'PY'
import json, os, sys
config = json.load(open(sys.argv[1]))['job']['config']
# The data directory is relative to the checkout; the worktrees live elsewhere.
config.update(maxTestExamples=int(sys.argv[2]), dataDir=os.path.abspath(os.path.join(sys.argv[3], config['dataDir'])))
print(json.dumps(config))
PY
  for c in a b; do
    (cd "$work/$c" && node bin/fewprompt.mjs train --config "$work/config.json" --out "$work/run-$c" >"$work/log-$c" 2>&1) ||
      { echo "$record: the run at $([ $c = a ] && echo "$base" || echo "$head") failed:"; tail -3 "$work/log-$c"; exit 2; }
  done
  python3 - "$record" "$work/run-a" "$work/run-b" <<'PY' || status=1
import json, sys
record, a, b = sys.argv[1:]
def load(d):
    h = json.load(open(f'{d}/history.json'))
    m = json.load(open(f'{d}/metrics.json'))
    return [e['loss'] for e in h if 'loss' in e], m
(la, ma), (lb, mb) = load(a), load(b)
diff = max((abs(x - y) for x, y in zip(la, lb)), default=0.0)
keys = ('devAccuracy', 'bestStep', 'testAccuracy', 'steps')
# Identical results: the same dev accuracy, best step, test accuracy and step count. Losses equal to the bit say
# the arithmetic is the same too; within 1e-6 they differ by float rounding only (e.g. a fused op) and decide alike.
same = all(ma.get(k) == mb.get(k) for k in keys) and len(la) == len(lb)
verdict = 'DIFFERENT' if not same else 'identical' if la == lb else 'same results, losses within rounding'
print(f"{record}: {verdict}; dev {ma['devAccuracy']:.4f} / {mb['devAccuracy']:.4f}, best step "
      f"{ma['bestStep']} / {mb['bestStep']}, test {ma.get('testAccuracy')} / {mb.get('testAccuracy')}, "
      f"{len(la)} steps, max |loss difference| {diff:.2e}")
sys.exit(0 if same and diff < 1e-6 else 1)
PY
  rm -rf "$work/run-a" "$work/run-b"
done
exit $status
