#!/usr/bin/env bash
# Regenerates test/fixtures/mapproxy-1.15/ from a local MapProxy 1.15 `mapproxy-util` (for humans;
# the tests never run it). Reads the cases from test/fixtures/mapproxy-1.15/cases.tsv.
set -euo pipefail

REPO="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
OUT="$REPO/test/fixtures/mapproxy-1.15"

# `mapproxy-util --version` exits 1 even when it works
VERSION="$(mapproxy-util --version 2>&1 || true)"
[[ "$VERSION" == "MapProxy 1.15."* ]] || {
  echo "mapproxy-util is not MapProxy 1.15.x: $VERSION" >&2
  exit 1
}

WORK="$(mktemp -d)"
trap 'rm -rf "$WORK"' EXIT

# Paths become {repo} again; log timestamps become [TIMESTAMP] so reruns give no diff.
normalize() {
  sed -e "s#$REPO#{repo}#g" \
    -e 's#^\[[0-9]\{4\}-[0-9][0-9]-[0-9][0-9] [0-9:,]*\] #[TIMESTAMP] #'
}

count=0
while IFS=$'\t' read -r name args; do
  [[ -z "$name" || "$name" == \#* ]] && continue
  args="${args//\{repo\}/$REPO}"
  mkdir -p "$OUT/$(dirname "$name")"
  status=0
  # shellcheck disable=SC2086 # the arguments are meant to be split on spaces
  (cd "$REPO" && mapproxy-util $args) >"$WORK/stdout" 2>"$WORK/stderr" </dev/null || status=$?
  normalize <"$WORK/stdout" >"$OUT/$name.stdout"
  normalize <"$WORK/stderr" >"$OUT/$name.stderr"
  echo "$status" >"$OUT/$name.exit"
  count=$((count + 1))
done <"$OUT/cases.tsv"
echo "captured $count cases into $OUT"
