#!/usr/bin/env bash
# Opens the page of a big run in headless Chromium against the host started here as a process of its own (Release build) on an
# existing PostgreSQL database, and reports: the bench's JSON lines (time and bytes of each step: open, next page, filter by
# failed, graph tab, timeline tab), the API's answers for that run (bytes, seconds), then the host's peak resident memory (VmHWM) and CPU time from /proc.
# Usage: scripts/bench-run-page.sh "Host=…;Port=…;Username=postgres;Database=…" RUN-ID
# Build first: dotnet build -c Release Luigi.Web && dotnet build -c Release bench/Luigi.Dashboard.Bench
set -euo pipefail
cd "$(dirname "$0")/.."
connection=$1 run=$2
port=$(( 30000 + RANDOM % 10000 ))
ConnectionStrings__Luigi="$connection" Luigi__Store__Provider=Postgres Luigi__Auth__AllowAnonymousViewers=true \
  Luigi__Engine__Workers=1 Logging__LogLevel__Default=Warning ASPNETCORE_URLS="http://127.0.0.1:$port" \
  dotnet Luigi.Web/bin/Release/net10.0/Luigi.Web.dll > /tmp/bench-run-page-host.log 2>&1 &
host=$!
trap 'kill $host 2> /dev/null || true' EXIT
for _ in $(seq 1 120); do curl -fs "http://127.0.0.1:$port/healthz" > /dev/null && break; sleep 1; done
cpu() { awk -v h="$(getconf CLK_TCK)" '{ printf "%.2f", ($14 + $15) / h }' "/proc/$host/stat"; }
rss() { awk '/^VmRSS/ { print $2 }' "/proc/$host/status"; }
before_cpu=$(cpu) before_rss=$(rss)
dotnet bench/Luigi.Dashboard.Bench/bin/Release/net10.0/Luigi.Dashboard.Bench.dll --open-run "http://127.0.0.1:$port" "$run"
echo "{\"host_vmhwm_kb_after_page\":$(awk '/^VmHWM/ { print $2 }' "/proc/$host/status"),\"host_cpu_s_after_page\":$(cpu)}"
# The API a client of such a run calls: status, bytes and seconds of each answer (curl), one at a time.
for path in "" "?pageSize=100" /tasks "/tasks?state=Failed" /counts /root-causes /graph /graph/groups; do
  curl -s -o /dev/null -w "{\"bench\":\"run-page\",\"api\":\"/api/runs/{id}$path\",\"status\":%{http_code},\"bytes\":%{size_download},\"seconds\":%{time_total}}\n" \
    "http://127.0.0.1:$port/api/runs/$run$path"
done
echo "{\"host_rss_kb_before\":$before_rss,\"host_rss_kb_after\":$(rss),\"host_vmhwm_kb\":$(awk '/^VmHWM/ { print $2 }' "/proc/$host/status"),\"host_cpu_s_before\":$before_cpu,\"host_cpu_s_after\":$(cpu)}"
