#!/usr/bin/env bash
# Checks commit messages against the project's rule (docs/contributing.md): a subject of at most 72 characters, then a
# blank line, then a body that says why. Merge commits need no body.
#
#   bash scripts/check-commits.sh                    # every commit of HEAD since the rule came in (CI runs this)
#   bash scripts/check-commits.sh <base>             # the commits of HEAD that <base> does not have
#   bash scripts/check-commits.sh --message-file F   # one message, as git's commit-msg hook passes it
#
# Exits 1 naming each commit and what is wrong; history from before the rule is never checked (nor rewritten).
set -euo pipefail
# A message file named relative to the caller's directory is read before the cd below.
if [ "${1:-}" = "--message-file" ] && [ -n "${2:-}" ]; then
  message_file="$(realpath -- "$2")"
fi
cd "$(dirname "$0")/.."

MAX_SUBJECT=72
# main when the rule came in (issue 23): the commits before it have long subjects and stay as they are.
RULE_SINCE=9c9d173f5df9fb24e2fa77fa35b54a3634825a01

problems=0

# check <name> <is-merge> <message>: prints one line per problem.
check() {
  local name="$1" merge="$2" msg="$3"
  # What git keeps: comment lines and trailing blank lines of an edited message do not count.
  msg="$(printf '%s\n' "$msg" | sed '/^#/d')"
  local subject second body
  subject="$(printf '%s\n' "$msg" | sed -n 1p)"
  second="$(printf '%s\n' "$msg" | sed -n 2p)"
  body="$(printf '%s\n' "$msg" | sed -n '3,$p' | grep -v '^[[:space:]]*$' || true)"
  if [ -z "${subject//[[:space:]]/}" ]; then
    echo "$name: the subject is empty"
    problems=$((problems + 1))
    return
  fi
  local length
  length="$(printf '%s' "$subject" | LC_ALL=C.UTF-8 wc -m)" # characters, not bytes, whatever the caller's locale
  if [ "$length" -gt "$MAX_SUBJECT" ]; then
    echo "$name: the subject has $length characters, more than $MAX_SUBJECT: ${subject:0:60}..."
    problems=$((problems + 1))
  fi
  if [ -n "${second//[[:space:]]/}" ]; then
    echo "$name: the second line is not blank (a subject of one line, a blank line, then the body)"
    problems=$((problems + 1))
  fi
  if [ "$merge" = no ] && [ -z "$body" ]; then
    echo "$name: no body (say why in the body, below a blank line)"
    problems=$((problems + 1))
  fi
}

if [ "${1:-}" = "--message-file" ]; then
  [ -n "${message_file:-}" ] && [ -f "$message_file" ] || { echo "usage: $0 --message-file <file>" >&2; exit 2; }
  check "commit message" no "$(cat "$message_file")"
else
  base="${1:-$RULE_SINCE}"
  if ! git rev-parse --verify --quiet "$base^{commit}" >/dev/null; then
    echo "error: $base is not a commit of this repository (a shallow clone? fetch more history)" >&2
    exit 2
  fi
  for c in $(git rev-list --reverse "$base..HEAD"); do
    merge=no
    [ "$(git rev-list --parents -n 1 "$c" | wc -w)" -gt 2 ] && merge=yes
    check "$(git rev-parse --short "$c")" "$merge" "$(git log -1 --format=%B "$c")"
  done
fi

if [ "$problems" -gt 0 ]; then
  echo "$problems problem(s) in commit messages (rule: docs/contributing.md)" >&2
  exit 1
fi
