#!/usr/bin/env bash
# Installs the Temporal CLI (which embeds the dev server and Temporal Web) into .tools/bin.
# v1.5.1 is the newest tag `go install` accepts: later tags carry a `replace` directive in go.mod.
# Reuses an existing binary: TEMPORAL_BIN (if set) or .tools/bin/temporal.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
version="1.5.1"
bin="$root/.tools/bin/temporal"

if [ -n "${TEMPORAL_BIN:-}" ]; then
  if [ -x "$TEMPORAL_BIN" ]; then echo "$TEMPORAL_BIN"; exit 0; fi
  echo "TEMPORAL_BIN=$TEMPORAL_BIN is not an executable file" >&2; exit 1
fi
if [ -x "$bin" ]; then echo "$bin"; exit 0; fi

if ! command -v go >/dev/null 2>&1; then
  echo "Go is not installed, so the Temporal CLI cannot be built. Install Go 1.25+ or set TEMPORAL_BIN to an existing 'temporal' binary." >&2
  exit 1
fi

# The machine's own GOPROXY/GOSUMDB settings are the ones that work here: keep them.
echo "Building the Temporal CLI v$version with $(go version) (GOPROXY=$(go env GOPROXY)); the first build takes several minutes..." >&2
mkdir -p "$root/.tools/bin"
GOTOOLCHAIN=local CGO_ENABLED=0 GOBIN="$root/.tools/bin" \
  go install -trimpath -ldflags "-s -w -X github.com/temporalio/cli/temporalcli.Version=$version" \
  "github.com/temporalio/cli/cmd/temporal@v$version" >&2
echo "$bin"
