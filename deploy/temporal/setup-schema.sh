#!/bin/sh
# Creates the Temporal server's two PostgreSQL databases if they are absent and brings their schemas to the server's
# version. Safe to run at every start: an existing database is kept, and update-schema applies only what is missing.
# Run by the native stack (dev/temporalPostgres.ts, with the SQL tool and schema files that
# scripts/setup-temporal-server.sh installs) and by docker-compose.yml's temporal-schema job (temporalio/admin-tools,
# which has both). The variables are the server's own (temporalServerEnv in dev/topology.ts).
set -eu
: "${SQL_TOOL:=temporal-sql-tool}"
: "${SCHEMA_DIR:=/etc/temporal/schema}"
: "${DB:?}" "${DBNAME:?}" "${VISIBILITY_DBNAME:?}" "${POSTGRES_SEEDS:?}" "${DB_PORT:?}" "${POSTGRES_USER:?}"

sql() {
  "$SQL_TOOL" --plugin "$DB" --ep "$POSTGRES_SEEDS" -p "$DB_PORT" -u "$POSTGRES_USER" --pw "${POSTGRES_PWD:-}" "$@"
}

for pair in "$DBNAME:temporal" "$VISIBILITY_DBNAME:visibility"; do
  db="${pair%%:*}"
  kind="${pair##*:}"
  # `create` fails on a database that exists; any other failure shows again, with its reason, in setup-schema.
  sql --db "$db" create >/dev/null 2>&1 || true
  # Version 0.0 creates only the schema_version tables (and is a no-op once they exist); update-schema then applies
  # every versioned step the database lacks.
  sql --db "$db" setup-schema -v 0.0
  sql --db "$db" update-schema -d "$SCHEMA_DIR/postgresql/v12/$kind/versioned"
done
