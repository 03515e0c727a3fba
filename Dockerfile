# The Luigi web host: HTTP API and executor. Build with `docker build -t luigi .` from the repository root,
# or through docker-compose.yml.

FROM mcr.microsoft.com/dotnet/sdk:10.0 AS build
WORKDIR /src

# The build bundles the dashboard's scripts from npm packages (Luigi.AspNetCore/client, run from Luigi.AspNetCore.csproj), so
# this stage needs Node.js and npm: Debian's packages. The final image has neither; it serves the bundles.
RUN apt-get update \
    && apt-get install -y --no-install-recommends nodejs npm \
    && rm -rf /var/lib/apt/lists/*

# Restore from the files that decide the packages only, so that this layer is reused until they change.
# Versions are central (Directory.Packages.props) and the build settings shared (Directory.Build.props, which imports
# build/Packaging.props).
# The tool manifest (.config/dotnet-tools.json, dotnet-ef) is only needed to author migrations, not here.
COPY Directory.Build.props Directory.Packages.props ./
COPY build/ build/
COPY Luigi.Engine/Luigi.Engine.csproj Luigi.Engine/
COPY Luigi.Storage/Luigi.Storage.csproj Luigi.Storage/
COPY Luigi.AspNetCore/Luigi.AspNetCore.csproj Luigi.AspNetCore/
COPY Luigi.Web/Luigi.Web.csproj Luigi.Web/
RUN dotnet restore Luigi.Web/Luigi.Web.csproj

# The same for the npm packages: installed from the lock file alone, so this layer too is reused until it changes
# (the build's own `npm ci` then finds node_modules up to date; .dockerignore keeps the host's out of the context).
COPY Luigi.AspNetCore/client/package.json Luigi.AspNetCore/client/package-lock.json Luigi.AspNetCore/client/
RUN cd Luigi.AspNetCore/client && npm ci --no-audit --no-fund

COPY Luigi.Engine/ Luigi.Engine/
COPY Luigi.Storage/ Luigi.Storage/
COPY Luigi.AspNetCore/ Luigi.AspNetCore/
COPY Luigi.Web/ Luigi.Web/
RUN dotnet publish Luigi.Web/Luigi.Web.csproj --configuration Release --no-restore \
    --output /app/publish -p:UseAppHost=false


FROM mcr.microsoft.com/dotnet/aspnet:10.0 AS final

# The health check needs an HTTP client, and the aspnet image ships neither curl nor wget (removed in .NET 5
# to keep the image small). curl is the one dependency added: a few MB, and `curl --fail` checks the status
# code of /healthz, where a bare TCP probe would only prove that the port is open.
RUN apt-get update \
    && apt-get install -y --no-install-recommends curl \
    && rm -rf /var/lib/apt/lists/*

WORKDIR /app
COPY --from=build /app/publish .

# The working folder's data/ holds what the host writes relative to it: the SQLite store when no PostgreSQL
# is configured, and the files of pipelines such as DailySales. It belongs to the image's non-root user
# `app` ($APP_UID), and a volume mounted there starts with that owner.
RUN mkdir -p /app/data && chown "$APP_UID" /app/data

ENV ASPNETCORE_HTTP_PORTS=8080
EXPOSE 8080
USER $APP_UID

HEALTHCHECK --interval=10s --timeout=5s --start-period=30s --retries=3 \
    CMD curl --fail --silent --show-error --output /dev/null http://localhost:8080/healthz || exit 1

ENTRYPOINT ["dotnet", "Luigi.Web.dll"]
