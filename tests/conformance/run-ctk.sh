#!/usr/bin/env bash
# Runs the official TM Forum conformance kits (Postman collections, newman) against a freshly
# started orderdesk-server on a random 127.0.0.1 port: TMF637 v4 (product inventory, over the
# demo data set) and TMF622 v4 (product ordering). Fails unless newman succeeds and exactly each
# kit's pinned number of assertions run and pass.
# Usage: tests/conformance/run-ctk.sh   (from anywhere inside the repository)
set -euo pipefail

ROOT="$(git rev-parse --show-toplevel)"
HERE="$ROOT/tests/conformance"
CTK="${CTK_DIR:-$ROOT/../shared/tmf/ctk-tmf622-v4}"
COLLECTION="$CTK/TMF622-ProductOrdering-v4.0.0.testkit.postman_collection.json"
CTK637="${CTK637_DIR:-$ROOT/../shared/tmf/ctk-tmf637-v4}"
COLLECTION637="$CTK637/TMF637-ProductInventory-v4.0.0.testkit.postman_collection.json"

for kit in "$COLLECTION" "$COLLECTION637"; do
  if [[ ! -f "$kit" ]]; then
    echo "run-ctk: conformance kit not found: $kit" >&2
    exit 2
  fi
done

WORK="$(mktemp -d)"
SERVER_PID=""
cleanup() {
  if [[ -n "$SERVER_PID" ]] && kill -0 "$SERVER_PID" 2>/dev/null; then
    kill "$SERVER_PID" 2>/dev/null || true
    wait "$SERVER_PID" 2>/dev/null || true
  fi
  rm -rf "$WORK"
}
trap cleanup EXIT

echo "run-ctk: installing newman (npm ci)"
(cd "$HERE" && npm ci --no-audit --no-fund --loglevel=error >/dev/null)

echo "run-ctk: building orderdesk-server"
(cd "$ROOT" && cargo build --quiet -p orderdesk-server --bin orderdesk-server)
TARGET_DIR="$(cd "$ROOT" && cargo metadata --format-version 1 --no-deps \
  | node -e 'let s="";process.stdin.on("data",d=>s+=d).on("end",()=>console.log(JSON.parse(s).target_directory))')"
BIN="$TARGET_DIR/debug/orderdesk-server"

"$BIN" --addr 127.0.0.1:0 >"$WORK/server.out" 2>"$WORK/server.err" &
SERVER_PID=$!

ADDR=""
for _ in $(seq 1 300); do
  if [[ -s "$WORK/server.out" ]]; then
    ADDR="$(head -n 1 "$WORK/server.out")"
    break
  fi
  if ! kill -0 "$SERVER_PID" 2>/dev/null; then
    echo "run-ctk: server exited early:" >&2
    cat "$WORK/server.err" >&2
    exit 1
  fi
  sleep 0.1
done
if [[ -z "$ADDR" ]]; then
  echo "run-ctk: server did not report its address within 30 s" >&2
  exit 1
fi
echo "run-ctk: server at http://$ADDR"

# run_kit LABEL COLLECTION VARIABLE BASE EXPECTED_ASSERTIONS: runs one kit with VARIABLE (the
# kit's environment key for its API root) set to BASE; fails unless every request, script and
# assertion passes and exactly EXPECTED_ASSERTIONS assertions ran. Fewer means a script stopped
# early (the kits parse answers outside their test blocks, so a non-JSON answer skips every later
# assertion); more or fewer also means the data the kit lists changed.
run_kit() {
  local label="$1" collection="$2" variable="$3" base="$4" expected="$5"
  local env="$WORK/$variable.env.json" report="$WORK/$variable.report.json"
  cat >"$env" <<JSON
{
  "id": "orderdesk-ctk",
  "name": "orderdesk-ctk",
  "values": [{ "key": "$variable", "value": "$base", "enabled": true }],
  "_postman_variable_scope": "environment"
}
JSON
  local status
  set +e
  "$HERE/node_modules/.bin/newman" run "$collection" -e "$env" \
    --reporters cli,json --reporter-json-export "$report" --color off
  status=$?
  set -e
  if [[ ! -f "$report" ]]; then
    echo "run-ctk: $label: newman produced no report (exit $status)" >&2
    return 1
  fi
  node -e '
const r = require(process.argv[1]);
const label = process.argv[2];
const expected = Number(process.argv[3]);
const newmanStatus = Number(process.argv[4]);
const s = r.run.stats;
const total = s.assertions.total, failed = s.assertions.failed;
const reqFailed = s.requests.failed;
const scriptFailed = (s.testScripts.failed || 0) + (s.prerequestScripts.failed || 0);
for (const f of r.run.failures) {
  console.log("FAILED: " + (f.source && f.source.name) + " :: " + (f.error && (f.error.test || f.error.name)) + " :: " + (f.error && f.error.message));
}
console.log(label + " CTK: requests " + s.requests.total + " (" + reqFailed + " failed), assertions " + total + " of " + expected + ", script errors " + scriptFailed + ", newman exit " + newmanStatus);
console.log("ctk: " + (total - failed) + " passed, " + failed + " failed");
const ok = newmanStatus === 0 && r.run.failures.length === 0 && failed === 0 && reqFailed === 0
  && scriptFailed === 0 && total === expected;
process.exit(ok ? 0 : 1);
' "$report" "$label" "$expected" "$status"
}

# TMF637 first, while the inventory is the demo set alone: its list tests assert on every
# product of the first page, so the count is pinned to the demo data set and the default page
# size (8 requests: one page of all products, field selection, by id, by status).
STATUS=0
run_kit "TMF637 v4" "$COLLECTION637" Product_Inventory \
  "http://$ADDR/tmf-api/productInventory/v4/" 2437 || STATUS=1
run_kit "TMF622 v4" "$COLLECTION" Product_Ordering \
  "http://$ADDR/tmf-api/productOrderingManagement/v4/" 63 || STATUS=1
exit "$STATUS"
