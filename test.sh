#!/usr/bin/env bash
# Runs the whole test suite from a fresh checkout and ends with one line: "N passed, N failed".
# Needs only the .NET 10 SDK; whatever else the tests need, this script installs or starts: Node.js and npm (the
# build bundles the dashboard's scripts with them), docker-compose (to check docker-compose.yml; no Docker engine
# is needed), Debian's Chromium (the end-to-end tests drive the dashboard in it headless; no browser is
# downloaded), Debian's Prometheus (a test scrapes the host's metrics with it; the test starts and stops the server), and a
# throwaway PostgreSQL server
# (scripts/test-postgres.sh) unless LUIGI_TEST_POSTGRES names one.
set -uo pipefail
cd "$(dirname "$0")"

scripts/ensure-node.sh
scripts/ensure-packages.sh docker-compose=docker-compose chromium=chromium prometheus=prometheus

log=$(mktemp)
trap 'rm -f "$log"' EXIT

# A test that hangs is stopped (with a dump of where it hung) after --blame-hang-timeout and counts as failed,
# instead of holding the run until CI's time runs out.
scripts/test-postgres.sh dotnet test Luigi.Web.sln --nologo --blame-hang-timeout 10m 2>&1 | tee "$log"
status=${PIPESTATUS[0]}

count() { grep -oE "$1: +[0-9]+" "$log" | awk '{ sum += $2 } END { print sum + 0 }'; }
passed=$(count Passed)
failed=$(count Failed)
skipped=$(count Skipped)

if [ "$passed" -eq 0 ] && [ "$failed" -eq 0 ]; then
  echo "No test ran (exit status $status)."
  exit "$(( status == 0 ? 1 : status ))"
fi

if [ "$skipped" -gt 0 ]; then
  # A test that needs a real part (PostgreSQL, Chromium, Prometheus, Node.js) must fail when it is missing, never skip.
  echo "$passed passed, $failed failed, $skipped skipped"
  exit "$(( status == 0 ? 1 : status ))"
else
  echo "$passed passed, $failed failed"
fi
exit "$status"
