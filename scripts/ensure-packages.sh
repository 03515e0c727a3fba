#!/usr/bin/env bash
# Installs the Debian packages that provide commands the tests run, when those commands are missing.
# Usage: scripts/ensure-packages.sh COMMAND=PACKAGE...   e.g. scripts/ensure-packages.sh docker-compose=docker-compose
#
# As root, runs apt-get update once and installs every missing package. Otherwise it only says what to
# install, and exits 0 all the same: the tests that need a missing command fail and name it.
set -euo pipefail

missing=()
for pair in "$@"; do
  command -v "${pair%%=*}" > /dev/null || missing+=("${pair#*=}")
done
[ ${#missing[@]} -eq 0 ] && exit 0

if [ "$(id -u)" -ne 0 ]; then
  echo "ensure-packages: the tests need Debian's ${missing[*]} package(s): sudo apt-get install ${missing[*]}" >&2
  exit 0
fi

echo "Installing Debian's ${missing[*]} package(s), which the tests need..."
log=$(mktemp)
trap 'rm -f "$log"' EXIT
if ! { apt-get update -qq &&
       DEBIAN_FRONTEND=noninteractive apt-get install -y -qq -o DPkg::Lock::Timeout=300 "${missing[@]}"; } > "$log" 2>&1; then
  cat "$log" >&2
  echo "ensure-packages: could not install ${missing[*]} (apt-get's output above)." >&2
  exit 1
fi
