#!/bin/sh
# Waits for the Temporal server, then creates the project's namespace and registers the search attributes every
# campaign run sets (CampaignId, EmailOutcome, ...; the list is SEARCH_ATTRIBUTES, "Name=Type ..."). Idempotent.
# Run by the native stack with the CLI that scripts/setup-temporal.sh builds, and by docker-compose.yml's
# temporal-namespace job (temporalio/admin-tools).
set -eu
: "${TEMPORAL_CLI:=temporal}"
: "${TEMPORAL_ADDRESS:?}" "${NAMESPACE:?}" "${NAMESPACE_RETENTION:?}" "${SEARCH_ATTRIBUTES:?}"
t() { "$TEMPORAL_CLI" --address "$TEMPORAL_ADDRESS" "$@"; }

i=0
until t operator cluster health >/dev/null 2>&1; do
  i=$((i + 1)); [ "$i" -le 120 ] || { echo "Temporal at $TEMPORAL_ADDRESS did not answer in 120 s" >&2; exit 1; }
  sleep 1
done
t operator namespace describe --namespace "$NAMESPACE" >/dev/null 2>&1 ||
  t operator namespace create --namespace "$NAMESPACE" --retention "$NAMESPACE_RETENTION"

# A namespace just created reaches the server's namespace cache within ~10 s: retry until the attributes are there.
i=0
for sa in $SEARCH_ATTRIBUTES; do
  name="${sa%%=*}"
  type="${sa#*=}"
  until t operator search-attribute list --namespace "$NAMESPACE" 2>/dev/null | grep -q "^ *$name " ||
    t operator search-attribute create --namespace "$NAMESPACE" --name "$name" --type "$type" >/dev/null 2>&1; do
    i=$((i + 1)); [ "$i" -le 60 ] || { echo "could not create search attribute $name" >&2; exit 1; }
    sleep 1
  done
done
