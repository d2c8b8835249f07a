#!/usr/bin/env bash
# The architecture's rules as a test (docs/architecture.md §2): layers point one
# way, each C library has one door, every src/ folder maps its files in a README.
# Prints every violation, then "N passed, N failed".
set -uo pipefail
root="${1:-$(cd "$(dirname "$0")/../.." && pwd)}"
cd "$root" || exit 2
passed=0; failed=0
check() {  # check NAME OUTPUT-OF-VIOLATIONS
  if [ -z "$2" ]; then passed=$((passed + 1)); else
    failed=$((failed + 1)); echo "FAIL $1:"; echo "$2" | sed 's/^/  /'; fi
}

# Rank of each stage: a non-test file may include only its own rank or lower.
declare -A rank=([common]=0 [duck]=1 [generate]=1 [delta]=2 [catalog]=3 [ingest]=4
                 [pipeline]=5 [ml]=6 [server]=7 [cli]=8)
layer_violations=""
for stage in "${!rank[@]}"; do
  [ -d "src/$stage" ] || continue
  while IFS= read -r line; do
    file="${line%%:*}"; inc="${line#*#include \"}"; dep="${inc%%/*}"
    [ -n "${rank[$dep]+x}" ] || continue
    # generate sits beside duck: it may use only common.
    if [ "$stage" = generate ] && [ "$dep" != common ] && [ "$dep" != generate ]; then
      layer_violations+="$file includes $inc (generate may use only common)"$'\n'; continue
    fi
    if [ "${rank[$dep]}" -gt "${rank[$stage]}" ] || { [ "$dep" = generate ] && [ "$stage" != cli ] && [ "$stage" != generate ]; }; then
      layer_violations+="$file includes $inc (a higher layer)"$'\n'
    fi
  done < <(grep -rn '#include "' "src/$stage" --include=*.cc --include=*.h | grep -v '_test\.cc:\|_bench\.cc:\|/testing/\|test_util\.h:\|test_frames\.h:\|bench_' )
done
check "layers point one way (cli → server → ml → pipeline → ingest → catalog → delta → duck → common)" "${layer_violations%$'\n'}"

check "only src/duck/ includes duckdb.h" "$(grep -rl '#include [<"]duckdb\.h' src tests | grep -v '^src/duck/')"
check "only catalog/ includes SQLite" "$(grep -rlE '#include [<"](sqlite3\.h|catalog/sqlite\.h)' src tests | grep -v '^src/catalog/')"
yaml_files="$(grep -rl '#include [<"]yaml-cpp' src tests)"
check "one file includes yaml-cpp" "$( [ "$(echo "$yaml_files" | grep -c .)" -le 1 ] || echo "$yaml_files")"
check "every src/ folder has a README" "$(for d in $(find src -mindepth 1 -type d -not -name testdata); do [ -f "$d/README.md" ] || echo "$d"; done)"
check "no reference to a design file outside the repository" "$(grep -rln 'DESIGN[ ]§' --exclude-dir=.git --exclude-dir=.deps --exclude-dir='build*' --exclude-dir=node_modules --exclude-dir=generated --exclude-dir=lakehouse .)"

echo "architecture: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
