#!/usr/bin/env bash
# Runs every fuzz target of the module for FUZZTIME each (default 10s), one after the
# other: go test fuzzes one target of one package per run. FUZZ=regexp narrows the set,
# e.g. FUZZ=DateTime. A target that fails leaves its input under
# <package>/testdata/fuzz/<target>/; once the bug is fixed that file stays as a seed, and
# plain `go test` runs it from then on.
set -euo pipefail
cd "$(dirname "$0")/.."
export CGO_ENABLED=1
GO=${GO:-go}
FUZZTIME=${FUZZTIME:-10s}
FUZZ=${FUZZ:-.}

# "<package dir> <target>" for every func FuzzX(f *testing.F) in a test file.
mapfile -t targets < <(grep -rE --include='*_test.go' '^func Fuzz[A-Za-z0-9_]*\(f \*testing\.F\)' . \
	| sed -E 's#^(.*)/[^/]*_test\.go:func (Fuzz[A-Za-z0-9_]*)\(.*#\1 \2#' \
	| awk -v re="$FUZZ" '$2 ~ re' | sort -u)
if [ ${#targets[@]} -eq 0 ]; then
	echo "fuzz: no target matches $FUZZ" >&2
	exit 1
fi

# fuzz_one DIR NAME: one target for FUZZTIME. Go before 1.27 may fail a target with a bare
# "context deadline exceeded" at the end of -fuzztime, a race in its fuzzing coordinator
# (go.dev/issue/75804) that found nothing: such a run wrote no failing input, and is run
# once more. Any other failure, or the same twice, fails.
out=$(mktemp)
trap 'rm -f "$out"' EXIT
fuzz_one() {
	local dir=$1 name=$2 try
	for try in 1 2; do
		if "$GO" test -run '^$' -fuzz "^${name}\$" -fuzztime "$FUZZTIME" "$dir" 2>&1 | tee "$out"; [ "${PIPESTATUS[0]}" -eq 0 ]; then
			return 0
		fi
		if [ "$try" -eq 2 ] || ! grep -q 'context deadline exceeded' "$out" || grep -q 'Failing input written' "$out"; then
			return 1
		fi
		echo "fuzz: $name stopped on Go's fuzztime deadline race (go.dev/issue/75804) with no failing input; running it once more"
	done
}

failed=()
start=$SECONDS
for t in "${targets[@]}"; do
	read -r dir name <<<"$t"
	echo "=== $name ($dir, $FUZZTIME)"
	if ! fuzz_one "$dir" "$name"; then
		failed+=("$name ($dir)")
	fi
done
echo "fuzz: ${#targets[@]} targets in $((SECONDS - start))s"
if [ ${#failed[@]} -gt 0 ]; then
	printf 'fuzz: FAILED %s\n' "${failed[@]}" >&2
	exit 1
fi
