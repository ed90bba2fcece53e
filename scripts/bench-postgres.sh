#!/usr/bin/env bash
# A PostgreSQL instance of the bench's own, set as production sets one: shared_buffers at a quarter of the machine's
# memory (PostgreSQL's documented starting point for a dedicated server) and autovacuum on. The machine's Postgres on
# 5432 keeps Debian's 128 MB and autovacuum off, because CI shares it. The scale bench on the PostgreSQL topology puts
# its databases wherever BENCH_DATABASE_URL points:
#   bash scripts/bench-postgres.sh start        # 127.0.0.1:5433, data in .tools/bench-postgres
#   BENCH_DATABASE_URL=postgres://postgres@127.0.0.1:5433/campaign_runner_bench npm run bench -- 100000 --scale --topology postgres
#   bash scripts/bench-postgres.sh stop
set -euo pipefail
cd "$(dirname "$0")/.."
PORT="${BENCH_POSTGRES_PORT:-5433}"
DATA="$PWD/.tools/bench-postgres"
BIN="$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -1)"
# Postgres will not run as root: as root, its binaries run as the postgres user.
as_pg() { if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi; }

case "${1:-}" in
  start)
    if [ ! -f "$DATA/PG_VERSION" ]; then
      mkdir -p "$DATA"
      [ "$(id -u)" = 0 ] && chown postgres "$DATA"
      as_pg "$BIN/initdb" -D "$DATA" -U postgres --auth=trust >/dev/null
    fi
    quarter_mb=$(( $(awk '/^MemTotal:/ {print $2}' /proc/meminfo) / 4 / 1024 ))
    as_pg "$BIN/pg_ctl" -D "$DATA" -l "$DATA/server.log" -w start \
      -o "-c listen_addresses=127.0.0.1 -p $PORT -c unix_socket_directories=/tmp -c shared_buffers=${quarter_mb}MB -c autovacuum=on" >/dev/null
    echo "bench Postgres on 127.0.0.1:$PORT (shared_buffers ${quarter_mb}MB, autovacuum on, data $DATA)"
    ;;
  stop)
    as_pg "$BIN/pg_ctl" -D "$DATA" -m fast -w stop >/dev/null && echo "bench Postgres stopped"
    ;;
  *)
    echo "usage: bash scripts/bench-postgres.sh start|stop" >&2
    exit 2
    ;;
esac
