#!/usr/bin/env bash
# Adds an EF Core migration for both store providers: scripts/add-migration.sh <Name>
set -euo pipefail
name=${1:?usage: scripts/add-migration.sh <MigrationName>}
cd "$(dirname "$0")/../Luigi.Engine"
dotnet tool restore > /dev/null
for provider in Postgres Sqlite; do
  dotnet ef migrations add "$name" --context "${provider}LuigiDbContext" \
    --output-dir "Storage/Migrations/$provider" --namespace "Luigi.Engine.Storage.Migrations.$provider"
  # The tool writes the model snapshot under a folder named after its namespace; keep it beside the migrations.
  if [ -f "Luigi/Engine/Storage/Migrations/$provider/${provider}LuigiDbContextModelSnapshot.cs" ]; then
    mv "Luigi/Engine/Storage/Migrations/$provider/${provider}LuigiDbContextModelSnapshot.cs" "Storage/Migrations/$provider/"
  fi
done
rm -rf Luigi
