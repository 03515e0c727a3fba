#!/usr/bin/env bash
# Installs Debian's nodejs and npm packages when they are missing: the build of Luigi.AspNetCore bundles the dashboard's
# scripts from npm packages (Luigi.AspNetCore/client), so `./run.sh`, `./test.sh` and any `dotnet build` need them.
# As root it installs them (scripts/ensure-packages.sh); otherwise it only says what to install.
set -euo pipefail
exec "$(dirname "$0")/ensure-packages.sh" node=nodejs npm=npm
