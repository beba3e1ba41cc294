#!/usr/bin/env bash
# Builds Orderdesk's installable packages with the pinned Tauri CLI (packaging/package.json):
# the .deb and the .rpm, each holding the desktop app (menu entry, icons), `orderdesk` and
# `orderdesk-server` in /usr/bin, their man pages and bash/zsh/fish completions (generated from
# the clap definitions by orderdesk-dist). Prints each package with its size.
#
# Uses the one shared release build (scripts/release-build.sh) and bundles it with
# `tauri bundle` (packaging/bundle.mjs), so nothing is compiled twice. Packages land in
# <target>/release/bundle/.
#
# Settings (environment):
#   ORDERDESK_BUNDLES          bundles to make, comma-separated (default: deb,rpm). `appimage`
#                              needs linuxdeploy, which the Tauri CLI downloads from GitHub.
#   ORDERDESK_UPDATER_PUBKEY   the public key (`tauri signer generate`) the packaged app checks
#                              updates against; ORDERDESK_UPDATE_FEED its default feed. Without
#                              a key the packaged app does not update itself.
#   TAURI_SIGNING_PRIVATE_KEY  (and _PASSWORD) also sign the packages for the update feed
#                              (a `.sig` beside each).
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
cd "$ROOT"
export PATH="$HOME/.cargo/bin:$PATH"
export CARGO_TERM_COLOR="${CARGO_TERM_COLOR:-never}"
BUNDLES="${ORDERDESK_BUNDLES:-deb,rpm}"

./scripts/setup.sh
if [ ! -d packaging/node_modules ] || [ packaging/package-lock.json -nt packaging/node_modules/.package-lock.json ]; then
  npm --prefix packaging ci --no-audit --no-fund --loglevel=error
fi

# The update key and feed are compiled into the app (its configuration is embedded): pass
# them to the build as a configuration overlay, the way the Tauri CLI does.
overlay="{}"
if [ -n "${ORDERDESK_UPDATER_PUBKEY:-}" ]; then
  overlay="$(node -e '
    const updater = { pubkey: process.env.ORDERDESK_UPDATER_PUBKEY };
    if (process.env.ORDERDESK_UPDATE_FEED) updater.endpoints = [process.env.ORDERDESK_UPDATE_FEED];
    console.log(JSON.stringify({ plugins: { updater } }));')"
  export TAURI_CONFIG="$overlay"
fi
bundle_config="$overlay"
if [ -n "${TAURI_SIGNING_PRIVATE_KEY:-}" ]; then
  bundle_config="$(node -e 'const c = JSON.parse(process.argv[1]); c.bundle = { createUpdaterArtifacts: true }; console.log(JSON.stringify(c))' "$overlay")"
fi

echo "package: release build"
./scripts/release-build.sh --quiet
TARGET_DIR="$(cargo metadata --format-version 1 --no-deps \
  | node -e 'let s="";process.stdin.on("data",d=>s+=d).on("end",()=>console.log(JSON.parse(s).target_directory))')"

# What the packages carry besides the app, where tauri.conf.json's bundle.linux.*.files
# expects it (paths relative to the repository).
STAGE="$ROOT/target/package/stage"
rm -rf "$STAGE"
mkdir -p "$STAGE/bin"
cp "$TARGET_DIR/release/orderdesk" "$TARGET_DIR/release/orderdesk-server" "$STAGE/bin/"
"$TARGET_DIR/release/orderdesk-dist" "$STAGE" >/dev/null
# Debian policy: man pages compressed, reproducibly (no name or time stamp).
gzip -9n "$STAGE"/man/man1/*.1

echo "package: bundling ${BUNDLES}"
rm -rf "$TARGET_DIR/release/bundle"
node packaging/bundle.mjs --bundles "$BUNDLES" --config "$bundle_config"

echo "package: done"
find "$TARGET_DIR/release/bundle" -maxdepth 2 -type f \( -name '*.deb' -o -name '*.rpm' -o -name '*.AppImage' -o -name '*.sig' \) \
  -printf '  %p  %s bytes\n' | sort
