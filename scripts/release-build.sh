#!/usr/bin/env bash
# The one release build: the desktop app, the `orderdesk` CLI, `orderdesk-server`, the
# packaging tool (`orderdesk-dist`) and the performance fixture tool (`perf_fixture`), built in
# one cargo invocation so that every script that needs release binaries (scripts/run.sh,
# scripts/package.sh, scripts/perf.sh) shares the same artifacts: cargo resolves features per
# invocation, and a build of any one of them alone would compile nearly everything again.
# Builds the UI first when it changed (the app embeds ui/dist). Extra arguments go to cargo
# (e.g. --quiet).
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="$HOME/.cargo/bin:$PATH"
# Vite rewrites every file it builds and the app embeds ui/dist, so an unneeded UI build would
# compile the app again: build the UI only when its sources are newer than the last build.
if [ ! -f ui/dist/index.html ] || [ -n "$(find ui/src ui/index.html ui/package.json ui/package-lock.json \
  ui/vite.config.ts ui/svelte.config.js ui/tsconfig.json -newer ui/dist/index.html -print -quit)" ]; then
  npm --prefix ui run build --silent >/dev/null
fi
cargo build --release --locked -p orderdesk-app -p orderdesk-cli -p orderdesk-server -p orderdesk-dist \
  -p orderdesk-service --bins --example perf_fixture "$@"
