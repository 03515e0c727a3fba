#!/usr/bin/env bash
# Runs a command with a throwaway PostgreSQL server, then stops the server and deletes its data.
# Usage: scripts/test-postgres.sh COMMAND [ARGS...]   e.g. scripts/test-postgres.sh dotnet test Luigi.Web.sln
#
# The command finds the server in LUIGI_TEST_POSTGRES, an Npgsql connection string of the superuser
# "postgres" on 127.0.0.1. When LUIGI_TEST_POSTGRES is already set, the command uses that server instead
# and none is started. Debian's postgresql package is installed when the server binaries are missing
# (as root only). As root, the server runs as the postgres OS user: PostgreSQL refuses to run as root.
# The script exits with the command's status.
set -euo pipefail

die() { echo "test-postgres: $*" >&2; exit 1; }

[ $# -gt 0 ] || die "usage: $0 COMMAND [ARGS...]"

if [ -n "${LUIGI_TEST_POSTGRES:-}" ]; then
  echo "Tests use the PostgreSQL server in LUIGI_TEST_POSTGRES:" \
    "$(sed -E 's/(password|pwd)=[^;]*/\1=***/Ig' <<< "$LUIGI_TEST_POSTGRES")"
  exec "$@"
fi

is_root() { [ "$(id -u)" -eq 0 ]; }

find_bin() {
  local dir
  dir=$(ls -d /usr/lib/postgresql/*/bin 2> /dev/null | sort -V | tail -n 1 || true)
  if [ -n "$dir" ] && [ -x "$dir/pg_ctl" ]; then echo "$dir"; return; fi
  if command -v pg_ctl > /dev/null; then dirname "$(command -v pg_ctl)"; fi
}

bin=$(find_bin)
if [ -z "$bin" ]; then
  is_root || die "the PostgreSQL server is not installed (no /usr/lib/postgresql/*/bin/pg_ctl)." \
    "Install it (sudo apt-get install postgresql) or set LUIGI_TEST_POSTGRES to a server of yours."
  echo "Installing Debian's postgresql package (the server binaries are missing)..."
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq -o DPkg::Lock::Timeout=300 postgresql > /dev/null
  bin=$(find_bin)
  [ -n "$bin" ] || die "installed the postgresql package, but found no pg_ctl under /usr/lib/postgresql."
fi

if is_root; then
  id postgres > /dev/null 2>&1 || die "running as root, but there is no postgres OS user to run the server."
  as_pg() { runuser -u postgres -- "$@"; }
else
  as_pg() { "$@"; }
fi

# One folder holds the cluster (data/), the server's Unix socket and the logs.
dir=$(mktemp -d -t luigi-test-pg.XXXXXX)
data=$dir/data
started=false

cleanup() {
  trap '' INT TERM HUP PIPE    # finish cleaning even if interrupted again or the output pipe is gone
  if [ -f "$data/postmaster.pid" ]; then    # also a server that started too late for pg_ctl's wait
    (cd "$dir" && as_pg "$bin/pg_ctl" stop -D "$data" -m fast -w -t 60) > /dev/null 2>&1 ||
      (cd "$dir" && as_pg "$bin/pg_ctl" stop -D "$data" -m immediate -w) > /dev/null 2>&1 || true
  fi
  rm -rf "$dir"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM
trap 'exit 129' HUP

if is_root; then
  chown postgres: "$dir"
  as_pg test -w "$dir" || die "the postgres user cannot write to $dir: set TMPDIR to a folder it can reach."
fi

(cd "$dir" && as_pg "$bin/initdb" -D "$data" --auth=trust -U postgres --encoding=UTF8 --locale=C.UTF-8) \
  > "$dir/initdb.log" 2>&1 || { cat "$dir/initdb.log" >&2; die "initdb failed (log above)."; }

port_in_use() { (exec 3<> "/dev/tcp/127.0.0.1/$1") 2> /dev/null; }

# A random port away from 5432 and from the ephemeral range; another one if it is taken or lost to a race.
# 300 connections, not the default 100: the suite runs test classes in parallel, each with a host or two, and each
# host keeps a pool per store (runs, auth, the executor's hot path).
for attempt in 1 2 3 4 5 6 7 8 9 10; do
  port=$(( 20000 + RANDOM % 10000 ))
  port_in_use "$port" && continue
  rm -f "$dir/server.log"
  if (cd "$dir" && as_pg "$bin/pg_ctl" start -D "$data" -w -t 60 -l "$dir/server.log" \
        -o "-p $port -k $dir -c listen_addresses=127.0.0.1 -c max_connections=300") > "$dir/pg_ctl.log" 2>&1; then
    started=true
    break
  fi
  grep -q "could not bind" "$dir/server.log" 2> /dev/null && continue
  cat "$dir/pg_ctl.log" "$dir/server.log" >&2 2> /dev/null
  die "the PostgreSQL server did not start (log above)."
done
$started || die "found no free port for PostgreSQL after $attempt attempts."

export LUIGI_TEST_POSTGRES="Host=127.0.0.1;Port=$port;Username=postgres;Database=postgres"
echo "Tests use a throwaway PostgreSQL $("$bin/postgres" --version | awk '{ print $3 }') on 127.0.0.1:$port," \
  "stopped and deleted afterwards."

status=0
"$@" || status=$?
exit "$status"
