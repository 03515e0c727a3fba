#!/usr/bin/env bash
# Packs every package of the product into one folder (./packages by default), for `dotnet new install` and as a NuGet
# source: Luigi.Engine, Luigi.Storage, Luigi.AspNetCore, the luigi tool (Luigi.Web) and the template (Luigi.Templates).
set -euo pipefail
cd "$(dirname "$0")/.."
out="${1:-packages}"
scripts/ensure-node.sh   # the dashboard's scripts are bundled into Luigi.AspNetCore, so consumers need no Node.js
dotnet pack Luigi.Web.sln -c Release -o "$out" -nologo "${@:2}"
ls "$out"/*.nupkg
