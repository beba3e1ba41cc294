#!/usr/bin/env bash
# The one release build: the desktop app, the `orderdesk` CLI, `orderdesk-server` and the
# packaging tool (`orderdesk-dist`), built in one cargo invocation so that every script that
# needs release binaries (scripts/package.sh, scripts/perf.sh) shares the same artifacts: the
# same packages in one build resolve the same features, so a second call rebuilds nothing.
# Builds the UI first (the app embeds ui/dist). Extra arguments go to cargo (e.g. --quiet).
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="$HOME/.cargo/bin:$PATH"
npm --prefix ui run build --silent >/dev/null
cargo build --release --locked -p orderdesk-app -p orderdesk-cli -p orderdesk-server -p orderdesk-dist "$@"
