#!/usr/bin/env bash
# Proves the .deb that scripts/package.sh made, on this machine: installs it, checks what it
# put where, runs the installed `orderdesk --version`, `orderdesk-server --help` and
# `orderdesk-app --version`, starts the installed app under Xvfb through the end-to-end
# harness (tests/e2e/package/installed.test.mjs: the window paints, the demo server works, a
# draft is saved, About names the version), then removes (purges) the package and checks that
# the agent's data directory is exactly as it was and that the package's files are gone.
# Needs root or sudo (dpkg). Prints the time each step took.
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/../.." && pwd)"
cd "$ROOT"
export PATH="$HOME/.cargo/bin:$PATH"

as_root() {
  if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi
}
step_start=$SECONDS
step() {
  echo "package-test: $1 ($((SECONDS - step_start))s)"
  step_start=$SECONDS
}

TARGET_DIR="$(cargo metadata --format-version 1 --no-deps \
  | node -e 'let s="";process.stdin.on("data",d=>s+=d).on("end",()=>console.log(JSON.parse(s).target_directory))')"
DEB="$(find "$TARGET_DIR/release/bundle/deb" -maxdepth 1 -name '*.deb' | sort | tail -n1)"
[ -n "$DEB" ] || { echo "package-test: no .deb in $TARGET_DIR/release/bundle/deb; run scripts/package.sh" >&2; exit 1; }
PACKAGE="$(dpkg-deb -f "$DEB" Package)"
VERSION="$(dpkg-deb -f "$DEB" Version)"
echo "package-test: $DEB ($PACKAGE $VERSION, $(stat -c %s "$DEB") bytes)"

WORK="$(mktemp -d)"
installed=0
cleanup() {
  if [ "$installed" = 1 ]; then as_root dpkg --purge "$PACKAGE" >/dev/null 2>&1 || true; fi
  rm -rf "$WORK"
}
trap cleanup EXIT

fail() {
  echo "package-test: FAILED: $*" >&2
  exit 1
}

if dpkg-query -W -f='${Status}' "$PACKAGE" 2>/dev/null | grep -q "install ok installed"; then
  fail "$PACKAGE is already installed on this machine; remove it first (this test removes what it installs)"
fi
# apt resolves the package's dependencies (the WebKitGTK runtime: here already, as the
# development packages' dependencies).
as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "$DEB" >"$WORK/apt.log" 2>&1 \
  || { cat "$WORK/apt.log" >&2; fail "apt-get could not install $DEB"; }
installed=1
step "installed"

# What the package holds, where the system looks for it.
for path in /usr/bin/orderdesk-app /usr/bin/orderdesk /usr/bin/orderdesk-server \
  /usr/share/applications/Orderdesk.desktop \
  /usr/share/man/man1/orderdesk.1.gz /usr/share/man/man1/orderdesk-draft.1.gz \
  /usr/share/man/man1/orderdesk-server.1.gz \
  /usr/share/bash-completion/completions/orderdesk /usr/share/bash-completion/completions/orderdesk-server \
  /usr/share/zsh/vendor-completions/_orderdesk /usr/share/fish/vendor_completions.d/orderdesk.fish; do
  dpkg -S "$path" >/dev/null 2>&1 || fail "$path is not in the package"
  [ -e "$path" ] || fail "$path is not installed"
done
find /usr/share/icons/hicolor -name 'orderdesk-app.png' | grep -q . || fail "no menu icon installed"
grep -q '^Exec=orderdesk-app' /usr/share/applications/Orderdesk.desktop || fail "the menu entry does not start orderdesk-app"
gzip -t /usr/share/man/man1/orderdesk.1.gz || fail "the man page is damaged"

# The installed binaries, from the PATH.
out="$(orderdesk --version)"; echo "  orderdesk --version: $out"
[ "$out" = "orderdesk $VERSION" ] || fail "orderdesk --version said '$out'"
out="$(orderdesk-server --version)"; echo "  orderdesk-server --version: $out"
[ "$out" = "orderdesk-server $VERSION" ] || fail "orderdesk-server --version said '$out'"
orderdesk-server --help | grep -q -- '--addr' || fail "orderdesk-server --help does not describe --addr"
out="$(orderdesk-app --version)"; echo "  orderdesk-app --version: $out"
case "$out" in "orderdesk-app $VERSION (commit "*) ;; *) fail "orderdesk-app --version said '$out'" ;; esac
bash -c 'source /usr/share/bash-completion/completions/orderdesk && complete -p orderdesk' >/dev/null \
  || fail "the bash completion does not load"
step "files and command lines checked"

# The installed app under Xvfb, through the e2e harness, on an agent's data directory.
DATA="$WORK/home/.local/share/orderdesk"
mkdir -p "$DATA"
E2E_APP=/usr/bin/orderdesk-app E2E_SERVER=/usr/bin/orderdesk-server E2E_SPECS='package/*.test.mjs' \
  E2E_ARTIFACTS_DIR="$ROOT/tests/e2e/artifacts/package" \
  E2E_PACKAGE_DATA_DIR="$DATA" E2E_PACKAGE_VERSION="$VERSION" \
  "$ROOT/tests/e2e/run.sh" || fail "the installed app did not pass its test"
[ -s "$DATA/orderdesk.db" ] || fail "the app saved nothing in $DATA"
step "installed app started, demo server used, draft saved"

# The data directory, file by file (names and contents).
manifest() { (cd "$DATA" && find . -type f -print0 | sort -z | xargs -0 sha256sum); }
manifest >"$WORK/before"
as_root env DEBIAN_FRONTEND=noninteractive apt-get purge -y -qq "$PACKAGE" >"$WORK/apt.log" 2>&1 \
  || { cat "$WORK/apt.log" >&2; fail "apt-get could not remove $PACKAGE"; }
installed=0
for path in /usr/bin/orderdesk-app /usr/bin/orderdesk /usr/bin/orderdesk-server \
  /usr/share/applications/Orderdesk.desktop /usr/share/man/man1/orderdesk.1.gz; do
  [ ! -e "$path" ] || fail "$path is still there after the package was removed"
done
manifest >"$WORK/after"
diff -u "$WORK/before" "$WORK/after" || fail "removing the package changed the agent's data directory"
echo "  data directory unchanged: $(wc -l <"$WORK/after") files"
step "removed; the agent's data is as it was"
