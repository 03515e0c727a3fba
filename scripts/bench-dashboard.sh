#!/usr/bin/env bash
# Measures the dashboard in headless Chromium against the real host on a throwaway PostgreSQL: render times of a
# run's tasks view and graph (500 to 5,000 tasks), the latency of live changes at a paced 1,000 changes/s,
# and the cost of an API token on reads of the API (--api-requests per kind of credentials; 0 skips them).
# Usage: scripts/bench-dashboard.sh [--tasks 500 1000 2000 5000] [--repeat 3] [--live-tasks 5000] [--rate 1000] [--workers 10] [--api-requests 5000] [--api-concurrency 1 8 32]
# Prints one JSON line per measurement (see docs/benchmarks.md).
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/ensure-packages.sh chromium=chromium
exec scripts/test-postgres.sh dotnet run -c Release --project bench/Luigi.Dashboard.Bench -- "$@"
