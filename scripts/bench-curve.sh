#!/usr/bin/env bash
# Runs the bench verb over shapes and sizes, three times each, and prints a Markdown table of the
# medians (the figures in docs/benchmarks.md come from here).
# Usage: scripts/bench-curve.sh [workers] [sizes...]   e.g. scripts/bench-curve.sh 8 1000 10000 100000
set -euo pipefail
cd "$(dirname "$0")/.."
workers=${1:-8}
shift || true
sizes=("${@:-1000 10000 100000}")
read -r -a sizes <<< "${sizes[*]}"

dotnet build -c Release Luigi.Web --nologo -v quiet > /dev/null
bin=Luigi.Web/bin/Release/net10.0/Luigi.Web.dll

echo "| shape | tasks | workers | seconds (median of 3) | tasks/s | µs per task | peak MB |"
echo "|---|---:|---:|---:|---:|---:|---:|"
for shape in chain fanin layered; do
  for n in "${sizes[@]}"; do
    runs=()
    for _ in 1 2 3; do
      runs+=("$(dotnet "$bin" bench --shape "$shape" --tasks "$n" --workers "$workers" | tail -n 1)")
    done
    printf '%s\n' "${runs[@]}" | python3 <(cat <<'PY'
import json, sys
rows = sorted((json.loads(l) for l in sys.stdin if l.strip()), key=lambda r: r["seconds"])
m = rows[len(rows) // 2]
peak = max(r["peak_mb"] for r in rows)
per_task = m["seconds"] / m["tasks"] * 1e6
print(f"| {m['shape']} | {m['tasks']:,} | {m['workers']} | {m['seconds']:.3f} | {m['tasks_per_s']:,.0f} | {per_task:.1f} | {peak:.0f} |")
PY
)
  done
done
