#!/usr/bin/env bash
# Installs the production topology's Temporal parts into .tools/server: the Temporal server and its SQL tool
# (go.temporal.io/server, the version the CLI's dev server embeds) and the Temporal Web server (temporalio/ui-server),
# all built from the Go module proxy, plus the server's SQL schema files and docker/config_template.yaml (the template
# the temporalio/server image renders), copied from the same module, and the UI image's config templates. Reused when present; prints the directory.
# dev/topology.ts holds the same versions (a unit test keeps them equal).
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
server_version="1.29.1"
ui_version="2.42.1"
dir="$root/.tools/server"
stamp="$dir/.version"
want="server $server_version ui $ui_version"

if [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$want" ]; then echo "$dir"; exit 0; fi
if ! command -v go >/dev/null 2>&1; then
  echo "Go is not installed, so the Temporal server cannot be built. Install Go 1.25+." >&2
  exit 1
fi

echo "Building the Temporal server v$server_version, its SQL tool and the UI server v$ui_version with $(go version); the first build takes several minutes..." >&2
mkdir -p "$dir"
# Each main package is named `server` or `sql`: build each into its own folder, then give it its real name.
build() { # module-path/cmd version name
  local tmp
  tmp="$(mktemp -d)"
  GOTOOLCHAIN=local CGO_ENABLED=0 GOBIN="$tmp" go install -trimpath -ldflags "-s -w" "$1@$2" >&2
  mv "$tmp"/* "$dir/$3"
  rmdir "$tmp"
}
build go.temporal.io/server/cmd/server "v$server_version" temporal-server
build go.temporal.io/server/cmd/tools/sql "v$server_version" temporal-sql-tool
build github.com/temporalio/ui-server/v2/cmd/server "v$ui_version" temporal-ui-server

module="$(GOTOOLCHAIN=local go mod download -json "go.temporal.io/server@v$server_version" | sed -n 's/^\s*"Dir": "\(.*\)",$/\1/p')"
rm -rf "$dir/schema"
cp -r "$module/schema" "$dir/schema"
cp "$module/docker/config_template.yaml" "$dir/config_template.yaml"
# The UI image's own configuration (base.yaml, then docker.yaml: a template over TEMPORAL_ADDRESS, TEMPORAL_UI_PORT, ...).
ui_module="$(GOTOOLCHAIN=local go mod download -json "github.com/temporalio/ui-server/v2@v$ui_version" | sed -n 's/^\s*"Dir": "\(.*\)",$/\1/p')"
rm -rf "$dir/ui" && mkdir -p "$dir/ui/config"
cp "$ui_module/config/base.yaml" "$ui_module/config/docker.yaml" "$dir/ui/config/"
chmod -R u+w "$dir/schema" "$dir/config_template.yaml" "$dir/ui"
echo "$want" > "$stamp"
echo "$dir"
