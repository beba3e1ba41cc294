#!/usr/bin/env bash
# Runs the fuzz targets (fuzz/, cargo-fuzz on the nightly toolchain) for a while each, one after
# the other, starting from the committed corpus. (The inputs that once crashed Orderdesk, in
# fuzz/regressions/, are replayed by `cargo test`: the server crate's `fuzz` test.)
#
#   scripts/fuzz.sh [SECONDS] [TARGET...]      default: 30 s each, every target
#   scripts/fuzz.sh cmin TARGET                minimise fuzz/corpus/TARGET with what runs found
#
# Inputs that reach new code go to fuzz/new-corpus/<target>/ (not committed; `cmin` merges them
# into the committed corpus: the 300 inputs that together reach the most code). A crash is written to
# fuzz/artifacts/<target>/ and makes the script fail. Each run ends with libFuzzer's statistics
# (executions, executions per second) after its last `cov:`/`ft:` coverage line.
#
# With FUZZ_TOTAL_SECONDS set, the build and the runs stay within that many seconds together:
# after a long (first) build each target gets its share of the time left, at least 10 s.
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="$HOME/.cargo/bin:$PATH"

# No sanitizer: the workspace forbids unsafe code, and what fuzzing looks for here (panics,
# aborts, stack overflows, memory or time without bound) libFuzzer sees without one, at about
# twice the speed. 16 codegen units halve a first build for ~10 % fewer executions. Every
# command uses the same flags, so they share one build.
flags=(--sanitizer none --codegen-units 16)

if [ "${1:-}" = "cmin" ]; then
  target="${2:?usage: scripts/fuzz.sh cmin TARGET}"
  # The corpus keeps the inputs that together reach the most code, at most this many (the
  # long tail, one rarely used branch each, fuzzing finds again within seconds).
  keep=300
  work="fuzz/merged/${target}"
  rm -rf "${work}"
  mkdir -p "${work}/out" "fuzz/new-corpus/${target}"
  cargo +nightly fuzz run "${flags[@]}" "${target}" "${work}/out" \
    "fuzz/corpus/${target}" "fuzz/new-corpus/${target}" -- \
    -set_cover_merge=1 -use_counters=0 -merge_control_file="${work}/control" -timeout=20
  # Greedy set cover over the code each input reached, as the merge recorded it.
  python3 - "${work}/control" "${keep}" >"${work}/keep" <<'PY'
import sys
lines = open(sys.argv[1]).read().split("\n")
count = int(lines[0])
paths = lines[2 : 2 + count]
reached = {}
for line in lines[2 + count :]:
    words = line.split()
    if words and words[0] == "FT":
        reached[int(words[1])] = set(words[2:])
covered, chosen = set(), []
while reached and len(chosen) < int(sys.argv[2]):
    best = max(reached, key=lambda i: len(reached[i] - covered))
    if not reached[best] - covered:
        break
    covered |= reached.pop(best)
    chosen.append(paths[best])
print("\n".join(chosen))
PY
  mkdir -p "${work}/corpus"
  xargs -a "${work}/keep" -d '\n' cp -t "${work}/corpus"
  rm -rf "fuzz/corpus/${target}" "fuzz/new-corpus/${target}"
  mv "${work}/corpus" "fuzz/corpus/${target}"
  rm -rf "${work}"
  rmdir fuzz/merged 2>/dev/null || true
  echo "fuzz/corpus/${target}: $(find "fuzz/corpus/${target}" -type f | wc -l) inputs"
  exit 0
fi

seconds="${1:-30}"
shift || true
targets=("$@")
if [ "${#targets[@]}" -eq 0 ]; then
  mapfile -t targets < <(cargo +nightly fuzz list)
fi

start=$SECONDS
cargo +nightly fuzz build "${flags[@]}"
if [ -n "${FUZZ_TOTAL_SECONDS:-}" ]; then
  # A few seconds per target go to starting it and reading its corpus.
  share=$(((FUZZ_TOTAL_SECONDS - (SECONDS - start)) / ${#targets[@]} - 5))
  if [ "${share}" -lt "${seconds}" ]; then
    seconds=$((share < 10 ? 10 : share))
    echo "the build took $((SECONDS - start))s: ${seconds}s per target to stay within ${FUZZ_TOTAL_SECONDS}s"
  fi
fi

for target in "${targets[@]}"; do
  echo "--- fuzzing ${target} for ${seconds}s"
  mkdir -p "fuzz/new-corpus/${target}"
  # -timeout: one input may take 20 s on a loaded machine before it counts as a hang.
  cargo +nightly fuzz run "${flags[@]}" "${target}" "fuzz/new-corpus/${target}" "fuzz/corpus/${target}" -- \
    -max_total_time="${seconds}" -timeout=20 -print_final_stats=1
done
