#!/usr/bin/env bash
# Installs what is missing, builds Orderdesk and starts the desktop app.
set -euo pipefail
cd "$(dirname "$0")/.."
./scripts/setup.sh
export PATH="$HOME/.cargo/bin:$PATH"
# The release build the packages and the performance script share (nothing built twice).
./scripts/release-build.sh --quiet
TARGET_DIR="$(cargo metadata --format-version 1 --no-deps \
  | node -e 'let s="";process.stdin.on("data",d=>s+=d).on("end",()=>console.log(JSON.parse(s).target_directory))')"
exec "$TARGET_DIR/release/orderdesk-app" "$@"
