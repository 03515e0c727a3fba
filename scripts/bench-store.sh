#!/usr/bin/env bash
# Runs the bench verb against a PostgreSQL server and reports, beside the bench's own JSON line, the CPU the server's
# processes spent during it and the statements that cost the most (pg_stat_statements, when the server loads it).
# Usage: PG="Host=127.0.0.1;Port=…;Username=postgres" PGDATA_DIR=/path/to/data scripts/bench-store.sh fresh|warm BENCH-ARGS...
#   fresh: a new database per run (created, migrated and warmed up by the bench); warm: the database "bench_warm", kept.
# The server should run with shared_preload_libraries=pg_stat_statements for the statement table (optional).
set -euo pipefail
mode=$1; shift
: "${PG:?set PG to an Npgsql connection string of a superuser (without Database)}"
: "${PGDATA_DIR:?set PGDATA_DIR to the data folder of the server (its postmaster.pid gives the processes to measure)}"
host=$(sed -E 's/.*Host=([^;]*).*/\1/' <<< "$PG"); port=$(sed -E 's/.*Port=([^;]*).*/\1/' <<< "$PG")
psql() { command psql -h "$host" -p "$port" -U postgres -X -q -t -A "$@"; }
if [ "$mode" = fresh ]; then db=bench_$(date +%s%N); psql -d postgres -c "CREATE DATABASE $db"
else db=bench_warm; psql -d postgres -tc "SELECT 1 FROM pg_database WHERE datname = '$db'" | grep -q 1 || psql -d postgres -c "CREATE DATABASE $db"; fi
# CPU ticks of the server: the postmaster with the backends it reaped, plus the live ones.
ticks() {
  local pm; pm=$(head -1 "$PGDATA_DIR/postmaster.pid")
  { awk '{ print $14 + $15 + $16 + $17 }' "/proc/$pm/stat"
    for c in $(cat "/proc/$pm/task/$pm/children"); do awk '{ print $14 + $15 }' "/proc/$c/stat" 2> /dev/null || true; done
  } | awk '{ s += $1 } END { print s }'
}
psql -d "$db" -c "CREATE EXTENSION IF NOT EXISTS pg_stat_statements" 2> /dev/null || true
psql -d "$db" -c "SELECT pg_stat_statements_reset()" > /dev/null 2>&1 || true
before=$(ticks); load0=$(cut -d' ' -f1 /proc/loadavg)
out=$(ConnectionStrings__Luigi="$PG;Database=$db" dotnet "$(dirname "$0")/../Luigi.Web/bin/Release/net10.0/Luigi.Web.dll" bench --store postgres "$@" | tail -1)
after=$(ticks); load1=$(cut -d' ' -f1 /proc/loadavg)
hz=$(getconf CLK_TCK)
echo "$out"
echo "{\"db\":\"$db\",\"postgres_cpu_seconds\":$(awk -v a="$after" -v b="$before" -v h="$hz" 'BEGIN { printf "%.2f", (a - b) / h }'),\"load\":\"$load0-$load1\"}"
psql -d "$db" -F ' | ' -c "SELECT calls, round(total_exec_time::numeric / 1000, 2) AS total_s, round(mean_exec_time::numeric, 3) AS mean_ms,
    rows, left(regexp_replace(query, '\s+', ' ', 'g'), 70) FROM pg_stat_statements ORDER BY total_exec_time DESC LIMIT 8" 2> /dev/null || true
