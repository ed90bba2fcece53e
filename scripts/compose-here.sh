#!/usr/bin/env bash
# Brings docker-compose.yml up with podman-compose on this machine, checks it, and takes it down again. No image
# registry answers here, so the third-party images are local stand-ins under their official names, built from what the
# native topology runs (scripts/setup-temporal-server.sh's Temporal server, SQL tool and UI server, the Temporal CLI,
# Debian's PostgreSQL) on the image check's Debian 12 stand-in base; the project's image is built from the Dockerfile.
# docs/production.md records what ran. Needs root, podman, podman-compose, runc and a run of scripts/image-check.sh
# (its base stand-in). Uses the host's ports 3040, 7233 and 8080, as the compose file says.
#
# This sandbox's limits, and what gets past them (containers.conf below, for this run only): crun cannot run here (the
# cgroups are a v1/v2 hybrid), runc can; and no container may ask for more open files or processes than the sandbox's
# own hard limits, which podman's defaults do.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
cd "$root"
tools="$root/.tools/server"
work="$root/.tools/compose-here"
mkdir -p "$work"
for t in podman podman-compose runc buildah; do command -v "$t" >/dev/null || { echo "compose-here: $t is missing" >&2; exit 1; }; done
base="docker.io/library/$(sed -n 's/^FROM \([^ ]*\).*/\1/p' Dockerfile | head -n 1)"
buildah inspect --type image "$base" >/dev/null 2>&1 || { echo "compose-here: run scripts/image-check.sh first (it makes $base)" >&2; exit 1; }

image_of() { # compose service -> its image, by its full name (docker.io/library/postgres:16), as a registry names it
  local i
  i="$(node -e "const y=require('yaml');const d=y.parse(require('fs').readFileSync('docker-compose.yml','utf8'),{merge:true});console.log(d.services['$1'].image)")"
  case "$i" in */*) echo "docker.io/$i" ;; *) echo "docker.io/library/$i" ;; esac
}

stand_in() { # name: builds the stand-in unless one with this script's label is there
  local name="$1" key c mnt
  key="$(cat "$0" "$tools/.version" | sha256sum | cut -d' ' -f1)"
  if [ "$(buildah inspect --type image --format '{{index .OCIv1.Config.Labels "campaign-runner.stand-in"}}' "$name" 2>/dev/null || true)" = "$key" ]; then
    return
  fi
  c="$(buildah from --pull=never "$base")"
  mnt="$(buildah mount "$c")"
  "build_$2" "$c" "$mnt"
  buildah umount "$c" >/dev/null
  buildah config --label "campaign-runner.stand-in=$key" --label "campaign-runner.stand-in.note=scripts/compose-here.sh: not the official image" "$c"
  buildah commit --quiet --rm "$c" "$name" >/dev/null
  echo "compose-here: built the stand-in $name"
}

build_postgres() { # Debian's PostgreSQL 15 (bookworm has no 16), started as the official image starts it
  buildah run --isolation chroot --network host "$1" -- sh -c \
    'apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends postgresql-15 >/dev/null && rm -rf /var/lib/apt/lists/*'
  cat > "$2/usr/local/bin/docker-entrypoint.sh" <<'EOF'
#!/bin/sh
# The official image's first start: a cluster owned by POSTGRES_USER with POSTGRES_PASSWORD, reachable over the network.
set -eu
: "${PGDATA:=/var/lib/postgresql/data}"
bin=/usr/lib/postgresql/15/bin
mkdir -p "$PGDATA" /run/postgresql
chown -R postgres:postgres "$PGDATA" /run/postgresql
chmod 700 "$PGDATA"
if [ ! -s "$PGDATA/PG_VERSION" ]; then
  printf '%s\n' "${POSTGRES_PASSWORD:?}" > /run/postgresql/pw
  runuser -u postgres -- "$bin/initdb" -D "$PGDATA" -U "${POSTGRES_USER:-postgres}" --pwfile=/run/postgresql/pw \
    --auth-local=trust --auth-host=scram-sha-256 >/dev/null
  rm /run/postgresql/pw
  echo "host all all all scram-sha-256" >> "$PGDATA/pg_hba.conf"
fi
exec runuser -u postgres -- "$bin/postgres" -D "$PGDATA" -c listen_addresses='*'
EOF
  chmod 755 "$2/usr/local/bin/docker-entrypoint.sh"
  buildah config --entrypoint '["docker-entrypoint.sh"]' --cmd '' --env PGDATA=/var/lib/postgresql/data "$1"
}

build_server() { # the native topology's server binary and its image's config template, rendered by the server itself
  install -m 755 "$tools/temporal-server" "$2/usr/local/bin/temporal-server"
  mkdir -p "$2/etc/temporal/config"
  node -e "const {sprigTemplate}=require('./dist/dev/temporalPostgres.js');const fs=require('fs');
    fs.writeFileSync('$2/etc/temporal/config/docker.yaml', sprigTemplate(fs.readFileSync('$tools/config_template.yaml','utf8')))"
  buildah config --workingdir /etc/temporal \
    --entrypoint '["temporal-server","--root","/etc/temporal","--config","config","--env","docker","--allow-no-auth","start"]' --cmd '' "$1"
}

build_admin() { # the SQL tool, the schema files and the Temporal CLI, where admin-tools has them
  install -m 755 "$tools/temporal-sql-tool" "$2/usr/local/bin/temporal-sql-tool"
  install -m 755 "$root/.tools/bin/temporal" "$2/usr/local/bin/temporal"
  mkdir -p "$2/etc/temporal"
  cp -r "$tools/schema" "$2/etc/temporal/schema"
  buildah config --entrypoint '["sh"]' --cmd '' "$1"
}

build_ui() { # the native topology's UI server and its image's configuration
  mkdir -p "$2/home/ui-server"
  install -m 755 "$tools/temporal-ui-server" "$2/home/ui-server/ui-server"
  cp -r "$tools/ui/config" "$2/home/ui-server/config"
  buildah config --workingdir /home/ui-server --entrypoint '["./ui-server","--env","docker","start"]' --cmd '' "$1"
}

stand_in "$(image_of postgres)" postgres
stand_in "$(image_of temporal)" server
stand_in "$(image_of temporal-schema)" admin
stand_in "$(image_of temporal-ui)" ui

# This run's podman settings (the machine's own containers.conf stays as it is).
cat > "$work/containers.conf" <<EOF
[containers]
default_ulimits = ["nofile=$(ulimit -Hn):$(ulimit -Hn)", "nproc=4096:4096"]
[engine]
runtime = "runc"
EOF
export CONTAINERS_CONF="$work/containers.conf" BUILDAH_ISOLATION=chroot
# The operator's values: throw-away ones (no e-mail is sent: nothing is launched).
export POSTGRES_PASSWORD="$(openssl rand -hex 16)" UNSUBSCRIBE_SECRET="$(openssl rand -hex 32)"
export SENDGRID_API_KEY=SG.compose-here PUBLIC_URL=https://campaigns.example.com
SENDGRID_WEBHOOK_PUBLIC_KEY="$(openssl ecparam -name prime256v1 -genkey -noout | openssl ec -pubout -outform DER 2>/dev/null | base64 -w0)"
export SENDGRID_WEBHOOK_PUBLIC_KEY
project=campaign-runner-compose-here
c() { echo "${project}_$1_${2:-1}"; } # a service's container
containers() { podman ps -a --filter "label=io.podman.compose.project=$project" --format '{{.Names}}' | sort; }
down() {
  for n in $(containers); do podman logs "$n" >"$work/$n.log" 2>&1 || true; done
  podman-compose -p "$project" -f docker-compose.yml down -v >"$work/down.log" 2>&1 || true
}
down
trap down EXIT
start=$(date +%s)
step() { printf 'compose-here: %-62s %4d s\n' "$1" "$(($(date +%s) - start))"; }
fail() {
  echo "compose-here: FAILED: $1" >&2
  podman ps -a --filter "label=io.podman.compose.project=$project" --format '{{.Names}}\t{{.Status}}' | sort >&2
  exit 1
}
# podman-compose 1.0.3 starts every container at once: it ignores depends_on's conditions (service_healthy,
# service_completed_successfully). So it creates them (building the project's image), and this script starts them in
# the order those conditions give, waiting for each as compose would.
podman-compose -p "$project" -f docker-compose.yml up --no-start >"$work/up.log" 2>&1 || {
  tail -n 30 "$work/up.log" >&2
  fail "podman-compose up --no-start (the end of $work/up.log above)"
}
step "podman-compose created $(containers | wc -l) containers (image built)"
healthy() { # the compose healthcheck of postgres, run as compose would
  for _ in $(seq 60); do podman exec "$(c postgres)" pg_isready -q -h 127.0.0.1 -U postgres && return 0; sleep 1; done
  return 1
}
completed() { # a job container: exit 0
  local code
  code="$(podman wait "$1")"
  [ "$code" = 0 ] || { podman logs "$1" 2>&1 | tail -n 15 >&2; fail "$1 exited $code"; }
}
podman start "$(c postgres)" >/dev/null
healthy || fail "postgres never became healthy"
step "postgres: healthy (pg_isready)"
podman start "$(c temporal-schema)" "$(c migrate)" >/dev/null
completed "$(c temporal-schema)"
completed "$(c migrate)"
step "temporal-schema and migrate: completed"
podman start "$(c temporal)" >/dev/null
podman start "$(c temporal-namespace)" "$(c temporal-ui)" >/dev/null
completed "$(c temporal-namespace)"
step "temporal: started; temporal-namespace: completed; temporal-ui: started"
podman start "$(c worker 1)" "$(c worker 2)" "$(c service)" >/dev/null
for _ in $(seq 60); do curl -fsS http://127.0.0.1:3040/readyz >/dev/null 2>&1 && break; sleep 1; done
curl -fsS http://127.0.0.1:3040/readyz >/dev/null 2>&1 || fail "the service does not answer /readyz on the published port 3040"
step "service: /readyz 200 on the published port 3040"
for _ in $(seq 60); do
  [ "$(podman logs "$(c worker 1)" "$(c worker 2)" 2>&1 | grep -c 'worker polling')" -ge 2 ] && break
  sleep 1
done
[ "$(podman logs "$(c worker 1)" "$(c worker 2)" 2>&1 | grep -c 'worker polling')" -ge 2 ] || fail "the two workers do not poll"
step "worker x2: polling temporal:7233"
curl -fsS http://127.0.0.1:8080/api/v1/namespaces | grep -q '"default"' || fail "Temporal Web (127.0.0.1:8080) does not list the namespace"
step "temporal-ui: lists the namespace on 127.0.0.1:8080"
podman ps -a --filter "label=io.podman.compose.project=$project" --format '{{.Names}}\t{{.Status}}\t{{.Ports}}' | sort
echo "compose-here: ok"
