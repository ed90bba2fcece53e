#!/usr/bin/env bash
# Builds the Dockerfile with buildah and runs the image against the native PostgreSQL topology: the migrate job, a
# worker and the HTTP service, each in its own container (`buildah run --isolation chroot`, host network). A short
# campaign must complete through the containerized worker; the containerized service must answer /readyz, store a
# signed event batch and take a one-click unsubscribe (scripts/imageCheck.ts). Prints each phase's time and the
# image's size; exits non-zero on any failure. CI runs it (.ci/run); docs/production.md records its time.
#
# Image registries are unreachable on the project's machines, so the official base image (the Dockerfile's FROM) is
# replaced by a local stand-in under the same name: Debian 12 from Debian's mirror (mmdebstrap), this machine's Node 20
# and npm in /usr/local as the official image has them, and this machine's CA bundle (its network re-signs TLS: npm
# needs it). Built once and reused while those inputs are unchanged. The CA bundle is in the stand-in only, never in
# the Dockerfile. Needs root (buildah), buildah and mmdebstrap (`apt-get install buildah mmdebstrap`), and the
# Temporal server from scripts/setup-temporal-server.sh.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
cd "$root"

IMAGE="${IMAGE_CHECK_TAG:-localhost/campaign-runner:check}"
# The Dockerfile's FROM, read from it, so that the stand-in always carries the name the Dockerfile asks for.
BASE="$(sed -n 's/^FROM \([^ ]*\).*/\1/p' Dockerfile | sort -u)"
if [ "$(printf '%s\n' "$BASE" | wc -l)" -ne 1 ]; then
  echo "image-check: the Dockerfile's stages must share one base image, found: $BASE" >&2
  exit 1
fi
case "$BASE" in */*) BASE_REF="docker.io/$BASE" ;; *) BASE_REF="docker.io/library/$BASE" ;; esac

for tool in buildah mmdebstrap; do
  command -v "$tool" >/dev/null 2>&1 || {
    echo "image-check: $tool is missing (apt-get install buildah mmdebstrap)" >&2
    exit 1
  }
done

start=$(date +%s.%N)
phase_start=$start
phase() { # name: prints the time since the previous phase
  local now
  now=$(date +%s.%N)
  awk -v a="$phase_start" -v b="$now" -v n="$1" 'BEGIN { printf "image-check: %-40s %6.1f s\n", n, b - a }'
  phase_start=$now
}

# --- the stand-in for the base image ------------------------------------------------------------------------------
node_version="$(/usr/bin/node --version)"
npm_version="$(/usr/bin/npm --version)"
stand_in_key="$(printf '%s\n' "stand-in v1" "$BASE_REF" "$node_version" "$npm_version" \
  "$(sha256sum /etc/ssl/certs/ca-certificates.crt | cut -d' ' -f1)" \
  "$(cat /etc/apt/sources.list.d/debian.sources)" | sha256sum | cut -d' ' -f1)"
have_key="$(buildah inspect --type image --format '{{index .OCIv1.Config.Labels "campaign-runner.stand-in"}}' "$BASE_REF" 2>/dev/null || true)"
if [ "$have_key" = "$stand_in_key" ]; then
  phase "stand-in $BASE_REF (cached)"
else
  tmp="$(mktemp -d)"
  trap 'rm -rf "$tmp"' EXIT
  mmdebstrap --quiet --variant=minbase --include=ca-certificates bookworm "$tmp/rootfs.tar" /etc/apt/sources.list.d/debian.sources
  c="$(buildah from scratch)"
  buildah add --quiet "$c" "$tmp/rootfs.tar" / >/dev/null
  mnt="$(buildah mount "$c")"
  install -m 0755 /usr/bin/node "$mnt/usr/local/bin/node"
  mkdir -p "$mnt/usr/local/lib/node_modules"
  cp -a /usr/lib/node_modules/npm "$mnt/usr/local/lib/node_modules/npm"
  ln -s ../lib/node_modules/npm/bin/npm-cli.js "$mnt/usr/local/bin/npm"
  ln -s ../lib/node_modules/npm/bin/npx-cli.js "$mnt/usr/local/bin/npx"
  # This machine's network re-signs TLS with its own CA: without it npm ci fails (SELF_SIGNED_CERT_IN_CHAIN).
  cp /etc/ssl/certs/ca-certificates.crt "$mnt/etc/ssl/certs/ca-certificates.crt"
  buildah umount "$c" >/dev/null
  buildah config --env NODE_VERSION="${node_version#v}" --env NODE_EXTRA_CA_CERTS=/etc/ssl/certs/ca-certificates.crt \
    --cmd node --label "campaign-runner.stand-in=$stand_in_key" \
    --label "campaign-runner.stand-in.note=built by scripts/image-check.sh: not the official image" "$c"
  buildah commit --quiet --rm "$c" "$BASE_REF" >/dev/null
  rm -rf "$tmp"
  trap - EXIT
  phase "stand-in $BASE_REF (built)"
fi

# --- the image ----------------------------------------------------------------------------------------------------
# --layers: a second run reuses every step whose inputs are unchanged (npm ci as long as the lockfile is).
# --format docker: the OCI format has no HEALTHCHECK.
buildah bud --quiet --isolation chroot --pull=never --layers --format docker -t "$IMAGE" . >/dev/null
phase "build $IMAGE"

# --- the run against the native topology --------------------------------------------------------------------------
bash scripts/setup-temporal-server.sh >/dev/null
node dist/scripts/imageCheck.js "$IMAGE"
phase "run (migrate, worker, service)"

printf 'image-check: image %s, %s; base %s (a stand-in)\n' "$IMAGE" "$(buildah images --format '{{.Size}}' "$IMAGE" | head -n 1)" "$BASE_REF"
awk -v a="$start" -v b="$(date +%s.%N)" 'BEGIN { printf "image-check: ok in %.1f s\n", b - a }'
