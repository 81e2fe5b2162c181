#!/usr/bin/env bash
# `npm run check`: lint, type checks and the whole test suite. Lint and the type check (~100 s of
# CPU together) run at a lower priority beside the tests instead of before them: the tests leave
# about a quarter of two cores idle while they wait on servers and child processes, which is where
# lint and tsc then run. Their output is printed after the tests', and any failure fails the check.
set -uo pipefail
cd "$(dirname "$0")/.."

out="$(mktemp -d)"
trap 'rm -rf "$out"' EXIT
nice -n 10 npm run --silent lint >"$out/lint" 2>&1 &
lint=$!
nice -n 10 npm run --silent typecheck >"$out/typecheck" 2>&1 &
typecheck=$!

npm test
tests=$?

failed=0
for job in lint typecheck; do
  if wait "${!job}"; then echo "$job passed"; else echo "$job failed:"; failed=1; fi
  cat "$out/$job"
done
[ "$tests" -eq 0 ] || echo "tests failed"
[ "$tests" -eq 0 ] && [ "$failed" -eq 0 ]
