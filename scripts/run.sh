#!/usr/bin/env bash
# Installs what is missing, builds Orderdesk and starts the desktop app.
set -euo pipefail
cd "$(dirname "$0")/.."
./scripts/setup.sh
export PATH="$HOME/.cargo/bin:$PATH"
npm --prefix ui run build --silent
exec cargo run --release -p orderdesk-app -- "$@"
