#!/usr/bin/env bash
# Runs every `func FuzzXxx` in the module for $FUZZTIME (default 10s) each. Build tags come from $TAGS.
set -euo pipefail
cd "$(dirname "$0")/.."
FUZZTIME=${FUZZTIME:-10s}
tags=()
[ -n "${TAGS:-}" ] && tags=(-tags "$TAGS")
status=0
while IFS=: read -r file name; do
	pkg="./$(dirname "$file")"
	echo "== fuzz $pkg $name ($FUZZTIME)"
	if ! go test "${tags[@]}" -run '^$' -fuzz "^${name}\$" -fuzztime "$FUZZTIME" "$pkg"; then
		status=1
	fi
done < <(grep -RHo --include='*_test.go' -E '^func (Fuzz[A-Za-z0-9_]+)' . | sed -E 's/:func /:/' | sort)
exit $status
