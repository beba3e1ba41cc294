#!/usr/bin/env bash
# End-to-end tests: builds the desktop app, starts a virtual display (Xvfb) and tauri-driver
# (WebDriver over WebKitWebDriver), and runs the specs in specs/ with node's test runner.
# Screenshots land in tests/e2e/artifacts/; on failure the app's log is printed.
# E2E_SPECS selects specs while iterating (a glob under specs/, default: all of them), e.g.
#   E2E_SPECS='specs/offline*' tests/e2e/run.sh
# E2E_APP names an app binary to drive instead of building one (the installed package's:
# tests/package/run.sh).
set -euo pipefail
HERE="$(cd "$(dirname "$0")" && pwd)"
ROOT="$(cd "$HERE/../.." && pwd)"
export PATH="$HOME/.cargo/bin:$PATH"

if ! command -v tauri-driver >/dev/null; then
  echo "e2e: installing tauri-driver"
  cargo install tauri-driver --version 2.1.0 --locked --quiet
fi
if [ ! -d "$HERE/node_modules" ] || [ "$HERE/package-lock.json" -nt "$HERE/node_modules/.package-lock.json" ]; then
  npm --prefix "$HERE" ci --no-audit --no-fund --loglevel=error
fi

TARGET_DIR="$(cd "$ROOT" && cargo metadata --format-version 1 --no-deps \
  | node -e 'let s="";process.stdin.on("data",d=>s+=d).on("end",()=>console.log(JSON.parse(s).target_directory))')"
if [ -n "${E2E_APP:-}" ]; then
  APP="$E2E_APP"
  SERVER="${E2E_SERVER:-$(command -v orderdesk-server || true)}"
else
  echo "e2e: building the app"
  (cd "$ROOT" && npm --prefix ui run build --silent && cargo build --quiet -p orderdesk-app -p orderdesk-server)
  APP="$TARGET_DIR/debug/orderdesk-app"
  SERVER="$TARGET_DIR/debug/orderdesk-server"
fi

WORK="$(mktemp -d)"
# E2E_ARTIFACTS_DIR keeps a run's screenshots apart (the installed package's run keeps the suite's).
ARTIFACTS="${E2E_ARTIFACTS_DIR:-$HERE/artifacts}"
rm -rf "$ARTIFACTS" && mkdir -p "$ARTIFACTS"
XVFB_PID=""
DRIVER_PID=""
cleanup() {
  [ -n "$DRIVER_PID" ] && kill "$DRIVER_PID" 2>/dev/null || true
  [ -n "$XVFB_PID" ] && kill "$XVFB_PID" 2>/dev/null || true
  wait 2>/dev/null || true
  rm -rf "$WORK"
}
trap cleanup EXIT

# Xvfb picks a free display number itself and writes it to the given descriptor.
Xvfb -displayfd 3 -screen 0 1280x800x24 -nolisten tcp 3>"$WORK/display" 2>"$WORK/xvfb.log" &
XVFB_PID=$!
for _ in $(seq 1 100); do [ -s "$WORK/display" ] && break; sleep 0.1; done
[ -s "$WORK/display" ] || { echo "e2e: Xvfb did not start" >&2; cat "$WORK/xvfb.log" >&2; exit 1; }
export DISPLAY=":$(head -n1 "$WORK/display")"

free_port() { node -e 'const s=require("net").createServer();s.listen(0,"127.0.0.1",()=>{console.log(s.address().port);s.close()})'; }
DRIVER_PORT="$(free_port)"
NATIVE_PORT="$(free_port)"
# Everything the app stores goes to a throw-away data directory.
export XDG_DATA_HOME="$WORK/data" XDG_CONFIG_HOME="$WORK/config" XDG_STATE_HOME="$WORK/state"
# The app follows the system's locale until the agent chooses one: the suite pins the system's
# to US English (the specs read English labels; the screens tour switches to German itself).
export LANG=en_US.UTF-8 LANGUAGE=en_US
unset LC_ALL LC_MESSAGES
# The app's sync loop waits at most this long between runs and before retrying an entry, so a
# server that comes back is noticed within a second (the app inherits it from tauri-driver).
export ORDERDESK_SYNC_MAX_WAIT_MS="${ORDERDESK_SYNC_MAX_WAIT_MS:-500}"
# The demo server's order lifecycle and the sync loop run in seconds, not minutes (the app's
# documented timing variables; a caller's own values win).
export ORDERDESK_DEMO_TIMING="${ORDERDESK_DEMO_TIMING:-1000,5000,300}"
export ORDERDESK_SYNC_POLL="${ORDERDESK_SYNC_POLL:-250,1000}"
tauri-driver --port "$DRIVER_PORT" --native-port "$NATIVE_PORT" >"$WORK/app.log" 2>&1 &
DRIVER_PID=$!
for _ in $(seq 1 100); do
  curl -fs "http://127.0.0.1:$DRIVER_PORT/status" >/dev/null 2>&1 && break
  sleep 0.1
done

status=0
# E2E_SPECS narrows the run to some specs (a glob under tests/e2e), e.g. "specs/crash.test.mjs".
SPECS="${E2E_SPECS:-specs/*.test.mjs}"
(cd "$HERE" && E2E_APP="$APP" E2E_SERVER="$SERVER" E2E_DRIVER_PORT="$DRIVER_PORT" E2E_ARTIFACTS="$ARTIFACTS" \
  E2E_WORK="$WORK" node --test --test-concurrency=1 $SPECS) || status=$?
# E2E_UPDATE_DOCS=1: the tour's screens (English, German `de-*`, dark `dark-*`) and the main
# scenario pictures become the README's.
if [ "$status" -eq 0 ] && [ "${E2E_UPDATE_DOCS:-}" = 1 ]; then
  DOCS="$ROOT/docs/screenshots"
  for shot in "$ARTIFACTS"/screen-*.png; do cp "$shot" "$DOCS/${shot##*/screen-}"; done
  for name in scenario1-priced scenario1-review scenario2-locked scenario2-queued scenario3-cancelled validation-blocked \
    scenario5-exported-v5 crash-reopened; do
    cp "$ARTIFACTS/$name.png" "$DOCS/"
  done
  echo "e2e: screenshots copied to docs/screenshots/"
fi
if [ "$status" -ne 0 ]; then
  echo "e2e: FAILED; the app's log follows (screenshots kept in $ARTIFACTS)"
  tail -n 200 "$WORK/app.log" || true
fi
exit "$status"
