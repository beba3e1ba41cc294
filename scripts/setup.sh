#!/usr/bin/env bash
# Installs what Orderdesk needs to build, run and test on a Debian machine, skipping what is there.
# Idempotent: safe to run before every build. Needs root or sudo for the system packages.
set -euo pipefail
cd "$(dirname "$0")/.."

# System packages: the WebKitGTK stack Tauri builds against, a virtual display and a WebDriver for
# the end-to-end tests, and the tools the scripts use (poppler-utils: the summary PDF test reads
# the PDF back as text and as a picture; GNU time: scripts/perf.sh's peak memory figures).
APT_PACKAGES=(
  build-essential pkg-config file curl ca-certificates git libdbus-1-dev
  libwebkit2gtk-4.1-dev libxdo-dev libssl-dev libayatana-appindicator3-dev librsvg2-dev
  xvfb xauth webkit2gtk-driver imagemagick xdotool
  poppler-utils time
  nodejs npm
)

as_root() {
  if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi
}

missing=()
for pkg in "${APT_PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" || missing+=("$pkg")
done
# A machine may carry its own Node.js outside Debian's packages; that one is fine.
if command -v node >/dev/null && command -v npm >/dev/null; then
  filtered=()
  for pkg in "${missing[@]}"; do
    case "$pkg" in nodejs | npm) ;; *) filtered+=("$pkg") ;; esac
  done
  missing=("${filtered[@]+"${filtered[@]}"}")
fi
if [ "${#missing[@]}" -gt 0 ]; then
  echo "setup: installing ${missing[*]}"
  as_root apt-get update -qq
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi

# The Rust toolchain named in rust-toolchain.toml (rustup installs it on first use).
if ! command -v cargo >/dev/null; then
  if [ -x "$HOME/.cargo/bin/cargo" ]; then
    export PATH="$HOME/.cargo/bin:$PATH"
  else
    echo "setup: installing the Rust toolchain with rustup"
    curl --proto '=https' --tlsv1.2 -sSf https://sh.rustup.rs | sh -s -- -y --profile minimal
    export PATH="$HOME/.cargo/bin:$PATH"
  fi
fi

# cargo-fuzz for the fuzzing stage of scripts/test.sh; it builds only on the nightly toolchain,
# so it is installed only where that toolchain is.
if rustup toolchain list 2>/dev/null | grep -q '^nightly' && ! cargo +nightly fuzz --version >/dev/null 2>&1; then
  echo "setup: installing cargo-fuzz"
  cargo +nightly install cargo-fuzz --locked
fi

# Front-end packages, exactly as locked.
if [ ! -d ui/node_modules ] || [ ui/package-lock.json -nt ui/node_modules/.package-lock.json ]; then
  echo "setup: installing the UI's npm packages"
  npm --prefix ui ci --no-audit --no-fund --loglevel=error
fi
