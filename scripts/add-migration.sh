#!/usr/bin/env bash
# Adds an EF Core migration for both store providers: scripts/add-migration.sh <Name> [store|auth|email]
#   store (default): the run store's model (Luigi.Storage, LuigiDbContext)
#   auth:            users, roles, API tokens and data-protection keys (Luigi.AspNetCore, AuthDbContext)
#   email:           the e-mail outbox (Luigi.AspNetCore, EmailDbContext)
set -euo pipefail
name=${1:?usage: scripts/add-migration.sh <MigrationName> [store|auth|email]}
model=${2:-store}
case "$model" in
  store) project=Luigi.Storage; context=LuigiDbContext; folder=Storage/Migrations; namespace=Luigi.Engine.Storage.Migrations ;;
  auth)  project=Luigi.AspNetCore; context=AuthDbContext; folder=Auth/Migrations; namespace=Luigi.Web.Auth.Migrations ;;
  email) project=Luigi.AspNetCore; context=EmailDbContext; folder=Email/Migrations; namespace=Luigi.Web.Email.Migrations ;;
  *) echo "unknown model '$model': store, auth or email" >&2; exit 2 ;;
esac
cd "$(dirname "$0")/../$project"
dotnet tool restore > /dev/null
for provider in Postgres Sqlite; do
  dotnet ef migrations add "$name" --context "${provider}${context}" \
    --output-dir "$folder/$provider" --namespace "$namespace.$provider"
  # The tool writes the model snapshot under a folder named after its namespace; keep it beside the migrations.
  snapshot=$(echo "$namespace" | tr . /)/$provider/${provider}${context}ModelSnapshot.cs
  if [ -f "$snapshot" ]; then
    mv "$snapshot" "$folder/$provider/"
  fi
done
rm -rf Luigi
