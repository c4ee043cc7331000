#!/usr/bin/env bash
# The five benchmarks in one run, in the order of bench/README.md, on an otherwise idle machine.
# Prints the commit and the time first; the whole output also goes to bench-all.log.
# Takes about 15 minutes (inbox_scale.py seeds 100,000 instances on SQLite and on PostgreSQL).
set -eo pipefail
cd "$(dirname "$0")/.."
{
  echo "commit $(git rev-parse --short HEAD)$(git diff --quiet || echo ' + uncommitted changes'), $(date -u '+%Y-%m-%d %H:%M UTC'), $(nproc) cores"
  python bench/engine_overhead.py --runs 15
  python bench/http_complete.py
  python bench/inbox_scale.py
  python bench/throughput.py --workers 2,3 --worker-class sync --auth token,session,basic
  python bench/state_size.py
} 2>&1 | tee bench-all.log
