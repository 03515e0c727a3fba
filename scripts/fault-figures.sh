#!/usr/bin/env bash
# Runs the fault suite (Luigi.Web.Tests/Faults: host processes killed, paused past their lease, PostgreSQL restarted
# and down for a minute) and prints the recovery figures it measured, for docs/reliability.md.
# Usage: scripts/fault-figures.sh [rounds]   e.g. scripts/fault-figures.sh 3
set -euo pipefail
cd "$(dirname "$0")/.."
rounds=${1:-1}
figures=$(mktemp -t luigi-fault-figures.XXXXXX)
log=$(mktemp -t luigi-fault-log.XXXXXX)
trap 'rm -f "$figures" "$log"' EXIT
failed=0

dotnet build Luigi.Web.Tests --nologo -v quiet > /dev/null
for _ in $(seq "$rounds"); do
  if ! LUIGI_FAULT_FIGURES=$figures scripts/test-postgres.sh \
    dotnet test Luigi.Web.Tests --no-build --nologo --filter "FullyQualifiedName~Luigi.Web.Tests.Faults" > "$log" 2>&1; then
    failed=1
    grep -E -A 30 '\[FAIL\]' "$log" >&2 || tail -n 50 "$log" >&2
  fi
done

echo "| figure | runs | seconds |"
echo "|---|---:|---|"
sort "$figures" | python3 -c '
import sys, collections
seen = collections.defaultdict(list)
for line in sys.stdin:
    name, _, value = line.rstrip().rpartition(": ")
    seen[name].append(float(value.split()[0]))
for name, values in seen.items():
    shown = ", ".join(f"{v:.1f}" for v in values)
    print(f"| {name} | {len(values)} | {shown} |")
'
exit "$failed"
