#!/usr/bin/env bash
# Runs the official TMF622 v4 conformance kit (Postman collection, newman) against a freshly
# started orderdesk-server on a random 127.0.0.1 port. Fails unless newman succeeds and exactly
# the kit's 63 assertions run and pass.
# Usage: tests/conformance/run-ctk.sh   (from anywhere inside the repository)
set -euo pipefail

ROOT="$(git rev-parse --show-toplevel)"
HERE="$ROOT/tests/conformance"
CTK="${CTK_DIR:-$ROOT/../shared/tmf/ctk-tmf622-v4}"
COLLECTION="$CTK/TMF622-ProductOrdering-v4.0.0.testkit.postman_collection.json"

if [[ ! -f "$COLLECTION" ]]; then
  echo "run-ctk: conformance kit not found at $CTK" >&2
  exit 2
fi

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
BASE="http://$ADDR/tmf-api/productOrderingManagement/v4/"
echo "run-ctk: server at $BASE"

cat >"$WORK/env.json" <<JSON
{
  "id": "orderdesk-ctk",
  "name": "orderdesk-ctk",
  "values": [{ "key": "Product_Ordering", "value": "$BASE", "enabled": true }],
  "_postman_variable_scope": "environment"
}
JSON

set +e
"$HERE/node_modules/.bin/newman" run "$COLLECTION" -e "$WORK/env.json" \
  --reporters cli,json --reporter-json-export "$WORK/report.json" --color off
NEWMAN_STATUS=$?
set -e

if [[ ! -f "$WORK/report.json" ]]; then
  echo "run-ctk: newman produced no report (exit $NEWMAN_STATUS)" >&2
  exit 1
fi

# The kit has exactly this many assertions. Fewer means a script stopped early (the kit parses
# answers outside its test blocks, so a non-JSON answer skips every later assertion): that is a
# failure too, as is any failure newman reports (assertions, requests, script errors).
EXPECTED_ASSERTIONS=63

# Count every assertion and failure from the report.
node -e '
const r = require(process.argv[1]);
const expected = Number(process.argv[2]);
const newmanStatus = Number(process.argv[3]);
const s = r.run.stats;
const total = s.assertions.total, failed = s.assertions.failed;
const reqFailed = s.requests.failed;
const scriptFailed = (s.testScripts.failed || 0) + (s.prerequestScripts.failed || 0);
for (const f of r.run.failures) {
  console.log("FAILED: " + (f.source && f.source.name) + " :: " + (f.error && (f.error.test || f.error.name)) + " :: " + (f.error && f.error.message));
}
console.log("TMF622 v4 CTK: requests " + s.requests.total + " (" + reqFailed + " failed), assertions " + total + " of " + expected + ", script errors " + scriptFailed + ", newman exit " + newmanStatus);
console.log("ctk: " + (total - failed) + " passed, " + failed + " failed");
const ok = newmanStatus === 0 && r.run.failures.length === 0 && failed === 0 && reqFailed === 0
  && scriptFailed === 0 && total === expected;
process.exit(ok ? 0 : 1);
' "$WORK/report.json" "$EXPECTED_ASSERTIONS" "$NEWMAN_STATUS"
