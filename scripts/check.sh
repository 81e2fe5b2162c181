#!/usr/bin/env bash
# `npm run check`: lint, type checks and the whole test suite. Lint and the type check (~95 s of
# CPU together, eslint ~70 s of it on one thread) run beside the tests instead of before them, at
# the tests' priority: at nice 10 they got only what the tests left idle, and eslint ended after
# the tests, alone on one core while the other idled (87 s after them in a clean-clone run on the
# shared machine). Their output is printed after the tests', and any failure fails the check.
set -uo pipefail
cd "$(dirname "$0")/.."

out="$(mktemp -d)"
trap 'rm -rf "$out"' EXIT
npm run --silent lint >"$out/lint" 2>&1 &
lint=$!
npm run --silent typecheck >"$out/typecheck" 2>&1 &
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
