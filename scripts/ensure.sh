#!/usr/bin/env bash
# Brings a checkout up to date before the stack or the tests run: dependencies from the lockfile (only when it changed),
# the Temporal CLI (only when missing), and a fresh build. `ensure.sh deps`: the dependencies only (the fast lane,
# `npm run test:unit`, runs from source and needs no build).
set -euo pipefail
cd "$(dirname "$0")/.."

stamp="node_modules/.lock-hash"
want="$(sha256sum package-lock.json | cut -d' ' -f1)"
if [ ! -f "$stamp" ] || [ "$(cat "$stamp")" != "$want" ]; then
  echo "installing dependencies (npm ci)..." >&2
  npm ci --no-audit --no-fund >&2
  echo "$want" > "$stamp"
fi

[ "${1:-}" = deps ] && exit 0

bash scripts/setup-temporal.sh >/dev/null
npm run --silent build
