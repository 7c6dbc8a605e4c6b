#!/usr/bin/env bash
# Run the commands of docs/howto/cluster.md against a two-node Ray cluster on this
# machine: a head and a second node started with `ray start`, then
# `redfl run --address` with a user model shipped through runtime_env.
# Ray's processes go into a folder of their own and are stopped at the end.
set -euo pipefail
cd "$(dirname "$0")/.."
BIN="${BIN:-$(pwd)/.venv/bin}"
PORT="${PORT:-6389}"
WORK="$(mktemp -d)"
export RAY_USAGE_STATS_ENABLED=0

stop_cluster() {
  pids=$(pgrep -f -- "$WORK/ray" || true)
  [ -n "$pids" ] && kill $pids 2>/dev/null || true
  sleep 1
  pids=$(pgrep -f -- "$WORK/ray" || true)
  [ -n "$pids" ] && kill -9 $pids 2>/dev/null || true
  rm -rf "$WORK"
}
trap stop_cluster EXIT

# The guide's files: a user model module and a config naming it.
mkdir "$WORK/project"
cp docs/cluster/my_models.py docs/cluster/cluster.yaml "$WORK/project/"
cd "$WORK/project"

# On the head machine.
"$BIN/ray" start --head --port="$PORT" --num-cpus=1 --include-dashboard=false \
  --temp-dir="$WORK/ray" >/dev/null
# On every other machine (here: the same one), pointing at the head.
"$BIN/ray" start --address="127.0.0.1:$PORT" --num-cpus=1 \
  --resources='{"site_b": 1}' >/dev/null

# From any machine that reaches the head.
"$BIN/redfl" run cluster.yaml --address "127.0.0.1:$PORT" --out ../run --quiet
"$BIN/python" - <<'PY'
import json

summary = json.load(open("../run/summary.json"))
assert summary["status"] == "completed", summary
ray_nodes = set(summary["placement"]["ray_node_of_node"].values())
assert len(ray_nodes) == 2, f"expected workers on 2 Ray nodes, got {ray_nodes}"
print(f"cluster guide: {summary['rounds']} rounds on {len(ray_nodes)} Ray nodes, "
      f"final accuracy {summary['final_test_accuracy']:.4f}")
PY
