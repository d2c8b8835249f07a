#!/usr/bin/env bash
# `make run`: the main job end to end. With SOURCE set, ingest that folder of
# Olist CSV files; otherwise use the project's own fixture.
set -euo pipefail
bin="$1"; lakehouse="$2"; source="$3"
root="$(cd "$(dirname "$0")/.." && pwd)"
if [ -z "$source" ]; then
  source="$root/tests/fixtures/olist-mini"
  echo "make run: no SOURCE given; using the fixture $source"
fi
"$bin" --lakehouse "$lakehouse" ingest --source "$source"
"$bin" --lakehouse "$lakehouse" tables
