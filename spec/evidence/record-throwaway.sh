#!/usr/bin/env bash
# Records the transcripts of daemon-wide calls that patches cite: a plugin
# push, pull, upgrade and remove through a local registry (0010-0013), and
# secret and config creation in a swarm (0014). These change daemon-wide
# state, so this starts its own throwaway dockerd (own socket, data root,
# bridge) and registry, and removes both. Needs root, dockerd, docker-registry, curl, cc
# (static libc) and /bin/busybox.
#
#   spec/evidence/record-throwaway.sh
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
work=$(mktemp -d /tmp/dsdp.XXXX)
bridge="dsdp$$"
dockerd_pid="" registry_pid=""
# A swarm init makes docker_gwbridge in this namespace, and the daemon does
# not take it away when it stops: remove it after, unless it was here before.
gwbridge_was_here=""
ip link show docker_gwbridge >/dev/null 2>&1 && gwbridge_was_here=1
cleanup() {
  [[ -n "$dockerd_pid" ]] && kill "$dockerd_pid" 2>/dev/null && wait "$dockerd_pid" 2>/dev/null || true
  [[ -n "$registry_pid" ]] && kill "$registry_pid" 2>/dev/null || true
  ip link del "$bridge" 2>/dev/null || true
  [[ -z "$gwbridge_was_here" ]] && ip link del docker_gwbridge 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT

port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
printf 'version: 0.1\nlog:\n  level: error\nstorage:\n  filesystem:\n    rootdirectory: %s\nhttp:\n  addr: 127.0.0.1:%s\n' \
  "$work/registry" "$port" >"$work/registry.yml"
command -v docker-registry >/dev/null || { echo "needs docker-registry: run .ci/prepare-engine" >&2; exit 1; }
docker-registry serve "$work/registry.yml" >/dev/null 2>&1 &
registry_pid=$!

ip link add "$bridge" type bridge
ip addr add 198.18.251.1/24 dev "$bridge"
ip link set "$bridge" up
echo '{}' >"$work/daemon.json"
sock="$work/d.sock"
dockerd --config-file="$work/daemon.json" --data-root="$work/data" --exec-root="$work/exec" \
  --pidfile="$work/d.pid" --host="unix://$sock" --bridge="$bridge" --iptables=false --ip-masq=false \
  --containerd-namespace="dsdp$$" --containerd-plugins-namespace="dsdp$$-plugins" >"$work/dockerd.log" 2>&1 &
dockerd_pid=$!
for _ in $(seq 1 100); do curl -sf --unix-socket "$sock" http://localhost/_ping >/dev/null && break; sleep 0.2; done
for _ in $(seq 1 50); do curl -s -o /dev/null "http://127.0.0.1:$port/v2/" && break; sleep 0.1; done
api=${API:-1.41}
base="http://localhost/v$api"

transcript() {
  local name=$1; shift
  local out="$here/v$api-$name.http"
  curl -s -D "$work/headers" -o "$work/body" --unix-socket "$sock" "$@" || true
  {
    grep '^HTTP/' "$work/headers" | tail -n1 | tr -d '\r'
    { grep -i '^content-type:' "$work/headers" || true; } | tr -d '\r'
    echo
    sed "s/127\.0\.0\.1:$port/127.0.0.1:PORT/g" "$work/body"
  } >"$out"
  echo "recorded $out" >&2
}

# The test plugin of tests/support/plugin: a static stub in an empty rootfs.
mkdir -p "$work/plugin/rootfs"
cc -static -O2 -o "$work/plugin/rootfs/stub" "$root/tests/support/plugin/stub.c"
remote="127.0.0.1:$port/docker-sdk-evidence/plugin"
# Two versions, which must differ: the engine refuses content it has.
for tag in v1 v2; do
  sed "s/a volume driver stub/a volume driver stub, $tag/" "$root/tests/support/plugin/config.json" >"$work/plugin/config.json"
  echo "$tag" >"$work/plugin/rootfs/version"
  tar -C "$work/plugin" -cf "$work/plugin-$tag.tar" .
  curl -sS --fail-with-body --unix-socket "$sock" -X POST "$base/plugins/create?name=$remote:$tag" \
    -H 'Content-Type: application/x-tar' --data-binary "@$work/plugin-$tag.tar"
done
transcript plugin-push-progress -X POST "$base/plugins/$remote:v1/push" -H 'X-Registry-Auth: e30='
curl -sf --unix-socket "$sock" -X POST "$base/plugins/$remote:v2/push" -H 'X-Registry-Auth: e30=' >/dev/null
for tag in v1 v2; do curl -sf --unix-socket "$sock" -X DELETE "$base/plugins/$remote:$tag" >/dev/null; done
privileges=$(curl -sf --unix-socket "$sock" "$base/plugins/privileges?remote=$remote:v1")
transcript plugin-pull-progress -X POST "$base/plugins/pull?remote=$remote:v1&name=evidence:v1" \
  -H 'Content-Type: application/json' -H 'X-Registry-Auth: e30=' -d "$privileges"
transcript plugin-upgrade-progress -X POST "$base/plugins/evidence:v1/upgrade?remote=$remote:v2" \
  -H 'Content-Type: application/json' -H 'X-Registry-Auth: e30=' -d "$privileges"
transcript plugin-delete-empty -X DELETE "$base/plugins/evidence:v1"

# A one-node swarm for secrets and configs; the daemon goes with its state.
curl -sf --unix-socket "$sock" -X POST "$base/swarm/init" -H 'Content-Type: application/json' \
  -d '{"ListenAddr":"198.18.251.1:2377","AdvertiseAddr":"198.18.251.1"}' >/dev/null
transcript secret-create-id -X POST "$base/secrets/create" -H 'Content-Type: application/json' \
  -d '{"Name":"evidence","Data":"ZXZpZGVuY2U="}'
transcript config-create-id -X POST "$base/configs/create" -H 'Content-Type: application/json' \
  -d '{"Name":"evidence","Data":"ZXZpZGVuY2U="}'
