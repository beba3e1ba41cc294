#!/usr/bin/env bash
# Orderdesk's performance bars (issue 7), measured on this machine:
#  (a) cold start to an interactive window and idle memory (app + WebKit processes), each as a
#      ratio to the minimal Tauri app in tools/tauri-baseline (bar: at most 1.3x);
#  (c) with a 1,000-item draft in the real window: open to a painted tree, and an edit to the
#      repainted tree (tests/e2e/perf/tree.mjs, through tauri-driver).
# Bar (b), repricing after an edit, is a benchmark: cargo bench -p orderdesk-app --bench edit.
#
# Builds everything in release first (a cold release build takes several minutes). Needs Xvfb,
# python3, and for (c) node with tests/e2e's packages and tauri-driver (installed if missing).
# Settings: PERF_RUNS (runs per app, default 7), PERF_SETTLE (seconds before memory is read,
# default 5), PERF_TREE=0 skips (c). Exit status is non-zero only when a measurement failed,
# not when a bar is missed.
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
cd "$ROOT"
export PATH="$HOME/.cargo/bin:$PATH"
export CARGO_TERM_COLOR="${CARGO_TERM_COLOR:-never}"
RUNS="${PERF_RUNS:-7}"
SETTLE="${PERF_SETTLE:-5}"

for tool in Xvfb python3 node; do
  command -v "$tool" >/dev/null || { echo "perf: $tool is missing (see README, Performance)" >&2; exit 1; }
done

echo "perf: building in release (UI, app, fixture tool, baseline)"
# The release build scripts/package.sh uses too, fixture tool included (one feature
# resolution, nothing built twice).
./scripts/release-build.sh --quiet
TARGET_DIR="$(cargo metadata --format-version 1 --no-deps \
  | python3 -c 'import json,sys; print(json.load(sys.stdin)["target_directory"])')"
# The baseline is its own workspace with the workspace's (pruned) lock; sharing the target
# directory reuses the dependencies both binaries build identically.
(cd tools/tauri-baseline && CARGO_TARGET_DIR="$TARGET_DIR" cargo build --quiet --release --locked --offline)
APP="$TARGET_DIR/release/orderdesk-app"
BASELINE="$TARGET_DIR/release/tauri-baseline"
FIXTURE="$TARGET_DIR/release/examples/perf_fixture"

WORK="$(mktemp -d)"
XVFB_PID=""
DRIVER_PID=""
cleanup() {
  [ -n "$DRIVER_PID" ] && kill "$DRIVER_PID" 2>/dev/null || true
  [ -n "$XVFB_PID" ] && kill "$XVFB_PID" 2>/dev/null || true
  wait 2>/dev/null || true
  rm -rf "$WORK"
}
trap cleanup EXIT

# A data directory as an agent's looks after choosing the demo server: its profile active and
# its catalog cached (so the app opens on Orders); and one more with a 1,000-item draft.
"$FIXTURE" "$WORK/template"
"$FIXTURE" "$WORK/large" 1000 >/dev/null

Xvfb -displayfd 3 -screen 0 1280x800x24 -nolisten tcp 3>"$WORK/display" 2>"$WORK/xvfb.log" &
XVFB_PID=$!
for _ in $(seq 1 100); do [ -s "$WORK/display" ] && break; sleep 0.1; done
[ -s "$WORK/display" ] || { echo "perf: Xvfb did not start" >&2; cat "$WORK/xvfb.log" >&2; exit 1; }
export DISPLAY=":$(head -n1 "$WORK/display")"

echo "perf: machine: $(nproc) cores, $(uname -sr), display $DISPLAY (Xvfb, software rendering)"
echo "perf: (a) start-up and idle memory, $RUNS runs each, alternating, settle ${SETTLE}s"
mkdir -p "$WORK/logs"
python3 tools/perf/startup.py --app "$APP" --baseline "$BASELINE" \
  --data-template "$WORK/template" --runs "$RUNS" --settle "$SETTLE" --logs "$WORK/logs"

if [ "${PERF_TREE:-1}" = "0" ]; then
  exit 0
fi
echo
echo "perf: (c) a 1,000-item draft in the window"
if ! command -v tauri-driver >/dev/null; then
  cargo install tauri-driver --version 2.1.0 --locked --quiet
fi
if [ ! -d tests/e2e/node_modules ]; then
  npm --prefix tests/e2e ci --no-audit --no-fund --loglevel=error
fi
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
DRIVER_PORT="$(free_port)"
NATIVE_PORT="$(free_port)"
XDG_DATA_HOME="$WORK/xdg-data" XDG_CACHE_HOME="$WORK/xdg-cache" XDG_CONFIG_HOME="$WORK/xdg-config" \
  tauri-driver --port "$DRIVER_PORT" --native-port "$NATIVE_PORT" >"$WORK/driver.log" 2>&1 &
DRIVER_PID=$!
for _ in $(seq 1 100); do
  curl -fs "http://127.0.0.1:$DRIVER_PORT/status" >/dev/null 2>&1 && break
  sleep 0.1
done
if ! E2E_APP="$APP" E2E_DRIVER_PORT="$DRIVER_PORT" E2E_WORK="$WORK" E2E_PERF_DATA_DIR="$WORK/large" \
  node tests/e2e/perf/tree.mjs; then
  echo "perf: the 1,000-item measurement failed; the driver's log follows" >&2
  tail -n 100 "$WORK/driver.log" >&2
  exit 1
fi
