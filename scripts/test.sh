#!/usr/bin/env bash
# Runs every test Orderdesk has, in the order a failure is cheapest to find, and prints how long
# each stage took. Installs what is missing first. Exit status is non-zero if any stage fails.
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="$HOME/.cargo/bin:$PATH"
export CARGO_TERM_COLOR="${CARGO_TERM_COLOR:-never}"

timings=()
stage() {
  local name="$1"
  shift
  echo
  echo "=== ${name}"
  local start=$SECONDS
  "$@"
  local took=$((SECONDS - start))
  timings+=("$(printf '%-34s %5ss' "$name" "$took")")
  echo "=== ${name}: ok (${took}s)"
}
report() {
  local status=$?
  echo
  echo "--- stage times"
  printf '%s\n' "${timings[@]+"${timings[@]}"}"
  [ "$status" -eq 0 ] || echo "--- FAILED (exit ${status})"
}
trap report EXIT

stage "setup (system + npm packages)" ./scripts/setup.sh
# The app crate embeds ui/dist at compile time, so the UI is built before any cargo step.
stage "ui build" npm --prefix ui run build --silent
stage "cargo fmt --check" cargo fmt --all --check
stage "cargo clippy" cargo clippy --workspace --all-targets --locked -- -D warnings
stage "rust tests" cargo test --workspace --locked
# Each fuzz target for 30 s from its committed corpus, after the build however long it took
# (the corpus and every input that once crashed Orderdesk are also replayed by the rust tests
# above, on the stable toolchain).
fuzz_briefly() {
  if ! rustup toolchain list 2>/dev/null | grep -q '^nightly'; then
    echo "fuzzing skipped: the nightly toolchain cargo-fuzz needs is not installed"
  elif ! cargo +nightly fuzz --version >/dev/null 2>&1; then
    echo "fuzzing skipped: cargo-fuzz is not installed (scripts/setup.sh installs it where nightly is present)"
  else
    ./scripts/fuzz.sh 30
  fi
}
stage "fuzzing (30 s per target)" fuzz_briefly
stage "ui type-check (svelte-check)" npm --prefix ui run check --silent
# Every language has every message key with the same parameters; every key is used.
stage "ui message catalogs" npm --prefix ui run check:i18n --silent
stage "ui tests (vitest)" npm --prefix ui run test --silent
stage "TMF637 v4 + TMF622 v4 conformance kits" ./tests/conformance/run-ctk.sh
stage "end-to-end (app under Xvfb)" ./tests/e2e/run.sh
# One release build, shared with scripts/perf.sh, bundled into the packages; then the .deb is
# installed, its app started under Xvfb, and removed.
stage "packages (.deb, .rpm)" ./scripts/package.sh
stage "installed package (.deb)" ./tests/package/run.sh
