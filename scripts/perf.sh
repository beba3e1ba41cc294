#!/usr/bin/env bash
# Orderdesk's performance bars (issue 7), measured on this machine:
#  (a) cold start to an interactive window and idle memory (app + WebKit processes), each as a
#      ratio to the minimal Tauri app in tools/tauri-baseline (bar: at most 1.3x);
#  (c) with a 1,000-item draft in the real window: open to a painted tree, and an edit to the
#      repainted tree (tests/e2e/perf/tree.mjs, through tauri-driver); then the same with a
#      10,000-item draft (bar: opens within 2 s and stays editable; PERF_TREE_10K=0 skips it).
# Bar (b), repricing after an edit, is a benchmark: cargo bench -p orderdesk-app --bench edit.
#  (d) a 100,000-offering catalog (issue 14): `orderdesk catalog import` of the generated file
#      against parsing it into a serde_json::Value (bars: at most 3x the time, peak memory at
#      most twice the file's size); `catalog search`, `draft list` and `draft check` on that
#      database against the same command on an empty one (bars: at most 1.5x, 50 ms, 60 MB);
#      the service's picker search (cargo bench -p orderdesk-service --bench catalog_search,
#      bar: p95 at most 20 ms); in a full run, (a) again with that catalog cached
#      (PERF_RUNS_100K runs, default 3) and the picker in the window, each keystroke to the
#      painted results (tests/e2e/perf/picker.mjs, bar: 50 ms). PERF_ONLY=catalog runs this
#      stage alone (no display needed, no start-up, no window). PERF_IMPORT_RUNS (default 3):
#      the parse and the import, alternately, this many times each.
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

# (d): release builds of the CLI, the reference server and the parse baseline only.
catalog_stage() {
  [ -x /usr/bin/time ] || { echo "perf: GNU time is missing (scripts/setup.sh installs it)" >&2; exit 1; }
  echo "perf: (d) a 100,000-offering catalog: building the CLI, the server and the baseline in release"
  cargo build --release --locked --quiet -p orderdesk-cli -p orderdesk-server --bins
  cargo build --release --locked --quiet -p orderdesk-service --example parse_catalog
  local target cli server parse dir
  target="$(cargo metadata --format-version 1 --no-deps \
    | python3 -c 'import json,sys; print(json.load(sys.stdin)["target_directory"])')"
  cli="$target/release/orderdesk"
  server="$target/release/orderdesk-server"
  parse="$target/release/examples/parse_catalog"
  dir="$(mktemp -d)"
  "$server" --generate-catalog 100000 >"$dir/catalog.json"
  local bytes
  bytes="$(stat -c %s "$dir/catalog.json")"
  echo "perf: catalog file: $((bytes / 1024 / 1024)) MB"
  # run NAME CMD...: wall time in ms (best of PERF_CATALOG_RUNS) and peak RSS in KB (of that run).
  run() {
    local name="$1" best="" rss="" i start end ms
    shift
    for i in $(seq 1 "${PERF_CATALOG_RUNS:-5}"); do
      start="$(date +%s%N)"
      /usr/bin/time -f '%M' -o "$dir/rss" "$@" >"$dir/out" 2>"$dir/err" \
        || { echo "perf: $name failed:" >&2; cat "$dir/err" >&2; exit 1; }
      end="$(date +%s%N)"
      ms=$(((end - start) / 1000000))
      if [ -z "$best" ] || [ "$ms" -lt "$best" ]; then best="$ms"; rss="$(tail -n1 "$dir/rss")"; fi
    done
    echo "$best $rss"
  }

  # The parse and the import, alternately (PERF_IMPORT_RUNS times, default 3; each import
  # into an empty database), so that both see the machine in the same state; the best time
  # of each with the highest peak memory of any of its runs, and every import's ratio to the
  # parse before it.
  local base_ms="" base_kb="" imp_ms="" imp_kb="" i p_ms p_kb i_ms i_kb ratios=""
  for i in $(seq 1 "${PERF_IMPORT_RUNS:-3}"); do
    rm -f "$dir/big.db" "$dir/big.db-wal" "$dir/big.db-shm"
    PERF_CATALOG_RUNS=1 run parse "$parse" "$dir/catalog.json" >"$dir/parse"
    read -r p_ms p_kb <"$dir/parse"
    PERF_CATALOG_RUNS=1 run import "$cli" --db "$dir/big.db" catalog import "$dir/catalog.json" >"$dir/import"
    read -r i_ms i_kb <"$dir/import"
    ratios="$ratios $(python3 -c "print(f'{$i_ms / $p_ms:.2f}x')")"
    if [ -z "$base_ms" ] || [ "$p_ms" -lt "$base_ms" ]; then base_ms="$p_ms"; fi
    if [ -z "$imp_ms" ] || [ "$i_ms" -lt "$imp_ms" ]; then imp_ms="$i_ms"; fi
    if [ -z "$base_kb" ] || [ "$p_kb" -gt "$base_kb" ]; then base_kb="$p_kb"; fi
    if [ -z "$imp_kb" ] || [ "$i_kb" -gt "$imp_kb" ]; then imp_kb="$i_kb"; fi
  done
  echo "perf: each import against the parse before it:$ratios"
  python3 - "$base_ms" "$base_kb" "$imp_ms" "$imp_kb" "$bytes" <<'PY'
import sys
base_ms, base_kb, imp_ms, imp_kb, size = map(int, sys.argv[1:])
print(f"perf: parse into a Value: {base_ms / 1000:.2f} s, {base_kb / 1024:.0f} MB peak (best time, highest peak)")
print(f"perf: catalog import:     {imp_ms / 1000:.2f} s ({imp_ms / base_ms:.2f}x the parse, bar 3x), "
      f"{imp_kb / 1024:.0f} MB peak ({imp_kb * 1024 / size:.2f}x the file, bar 2x)")
PY
  # A small draft in each database, naming the generated catalog's offerings.
  printf '%s' '{"@type":"ProductOrder","productOrderItem":[{"id":"1","action":"add","quantity":1,"productOffering":{"id":"gen-po-1"}}]}' >"$dir/order.json"
  local big_draft empty_draft
  big_draft="$("$cli" --db "$dir/big.db" draft import "$dir/order.json")"
  empty_draft="$("$cli" --db "$dir/empty.db" draft import "$dir/order.json")"
  local label args
  for label in "catalog search" "draft list" "draft check"; do
    case "$label" in
      "catalog search") args=(catalog search "Offering 4711") ;;
      "draft list") args=(draft list) ;;
      "draft check") args=(draft check) ;;
    esac
    local b e
    if [ "$label" = "draft check" ]; then
      # Exit status 1 means the draft has errors: a measurement all the same.
      b="$(run "$label" sh -c '"$@" || [ $? -eq 1 ]' sh "$cli" --db "$dir/big.db" "${args[@]}" "$big_draft")"
      e="$(run "$label" sh -c '"$@" || [ $? -eq 1 ]' sh "$cli" --db "$dir/empty.db" "${args[@]}" "$empty_draft")"
    else
      b="$(run "$label" "$cli" --db "$dir/big.db" "${args[@]}")"
      e="$(run "$label" "$cli" --db "$dir/empty.db" "${args[@]}")"
    fi
    python3 - "$label" $b $e <<'PY'
import sys
label = sys.argv[1]
b_ms, b_kb, e_ms, e_kb = map(int, sys.argv[2:])
print(f"perf: {label:15} 100k: {b_ms} ms, {b_kb / 1024:.0f} MB; empty: {e_ms} ms, {e_kb / 1024:.0f} MB; "
      f"{b_ms / max(e_ms, 1):.2f}x the time (bar 1.5x, 50 ms), {b_kb / e_kb:.2f}x the memory (bar 60 MB)")
PY
  done
  # In a full run (a window to draw in, the app built): start-up and idle memory again with
  # that catalog cached, against the same baseline. The profile is an unreachable server
  # (the demo server would replace the catalog with its own as it starts): an agent's
  # offline morning with a large catalog, opening on the Orders screen.
  if [ -n "${APP:-}" ] && [ -n "${DISPLAY:-}" ]; then
    echo "perf: (a) again with the 100,000-offering catalog cached, ${PERF_RUNS_100K:-3} runs each"
    mkdir -p "$dir/with-catalog" "$dir/logs"
    # A copy through SQLite's backup: the file alone is not the database while a -wal file
    # beside it holds committed pages.
    "$cli" --db "$dir/big.db" db backup "$dir/with-catalog/orderdesk.db" >/dev/null
    "$cli" --db "$dir/with-catalog/orderdesk.db" remote add offline --version v4 \
      --url "http://127.0.0.1:9/tmf-api/productOrderingManagement/v4/" >/dev/null
    "$cli" --db "$dir/with-catalog/orderdesk.db" remote use offline >/dev/null
    python3 tools/perf/startup.py --app "$APP" --baseline "$BASELINE" \
      --data-template "$dir/with-catalog" --runs "${PERF_RUNS_100K:-3}" --settle "$SETTLE" --logs "$dir/logs"
    # The picker in the window over that catalog (the WebDriver session of (c); not with
    # PERF_TREE=0): each keystroke of the service bench's queries to the painted results.
    if [ -n "${DRIVER_PORT:-}" ]; then
      echo "perf: the catalog picker in the window with that catalog, keystroke to painted results (bar 50 ms)"
      cp -r "$dir/with-catalog" "$dir/picker"
      if ! E2E_APP="$APP" E2E_DRIVER_PORT="$DRIVER_PORT" E2E_WORK="$WORK" E2E_PERF_DATA_DIR="$dir/picker" \
        node tests/e2e/perf/picker.mjs; then
        echo "perf: the picker measurement failed; the driver's log follows" >&2
        tail -n 100 "$WORK/driver.log" >&2
        exit 1
      fi
    fi
  fi
  echo "perf: the picker's search in the service over the same database"
  CATALOG_BENCH_DB="$dir/big.db" cargo bench --locked --quiet -p orderdesk-service --bench catalog_search \
    -- --noplot 2>&1 | grep -E "search_offerings|time:|p95"
  rm -rf "$dir"
}

if [ "${PERF_ONLY:-}" = "catalog" ]; then
  catalog_stage
  exit 0
fi

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
  echo
  catalog_stage
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
# tree DATA_DIR ITEMS [EDITS]: the measurement in the window, one JSON line.
tree() {
  if ! E2E_APP="$APP" E2E_DRIVER_PORT="$DRIVER_PORT" E2E_WORK="$WORK" E2E_PERF_DATA_DIR="$1" \
    E2E_PERF_EDITS="${3:-9}" node tests/e2e/perf/tree.mjs; then
    echo "perf: the $2-item measurement failed; the driver's log follows" >&2
    tail -n 100 "$WORK/driver.log" >&2
    exit 1
  fi
}
tree "$WORK/large" 1,000
if [ "${PERF_TREE_10K:-1}" != "0" ]; then
  echo "perf: (c) a 10,000-item draft in the window"
  "$FIXTURE" "$WORK/huge" 10000 >/dev/null
  tree "$WORK/huge" 10,000 5
fi
echo
catalog_stage
