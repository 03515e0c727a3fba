#!/usr/bin/env bash
# Runs the product: the web host (dashboard, HTTP API, executor) on http://localhost:5000, on SQLite by default.
# Arguments go to the host, e.g. `./run.sh -- run ComplexExample --workers 2` for the command line.
# Needs the .NET 10 SDK; Node.js and npm, which the build uses for the dashboard's scripts, are installed if missing.
set -euo pipefail
cd "$(dirname "$0")"
scripts/ensure-node.sh
# The example pipelines are offered here (Luigi:Examples:Enabled), unless the environment says otherwise.
export Luigi__Examples__Enabled="${Luigi__Examples__Enabled:-true}"
exec dotnet run --project Luigi.Web "$@"
