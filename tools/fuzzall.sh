#!/usr/bin/env bash
# Runs every `func FuzzXxx` in the module for $FUZZTIME (default 10s) each. Build tags come from $TAGS.
# A target whose run ends in "context deadline exceeded" without a failing input (the fuzzing
# engine's own timeout when a worker is busy minimising at the deadline, not a finding) is run
# once more; any other failure, or a failing input written to testdata, fails the script.
set -euo pipefail
cd "$(dirname "$0")/.."
FUZZTIME=${FUZZTIME:-10s}
tags=()
[ -n "${TAGS:-}" ] && tags=(-tags "$TAGS")
status=0
log=$(mktemp)
trap 'rm -f "$log"' EXIT
while IFS=: read -r file name; do
	pkg="./$(dirname "$file")"
	for attempt in 1 2; do
		echo "== fuzz $pkg $name ($FUZZTIME)"
		if go test "${tags[@]}" -run '^$' -fuzz "^${name}\$" -fuzztime "$FUZZTIME" -fuzzminimizetime 2s "$pkg" 2>&1 | tee "$log"; then
			break
		fi
		if [ "$attempt" = 1 ] && grep -q "context deadline exceeded" "$log" && ! grep -q "Failing input written" "$log"; then
			echo "== $name: fuzzing engine timeout without a failing input; running once more"
			continue
		fi
		status=1
		break
	done
done < <(grep -RHo --include='*_test.go' -E '^func (Fuzz[A-Za-z0-9_]+)' . | sed -E 's/:func /:/' | sort)
exit $status
