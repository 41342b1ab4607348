#!/usr/bin/env bash
# Records the engine responses that the patches in spec/patches/ cite as
# evidence, as HTTP transcripts (status line, content type, body), from the
# engine at DOCKER_SOCK (default /var/run/docker.sock). Run it from anywhere;
# it writes next to itself and removes everything it creates.
#
#   spec/evidence/record.sh            # API version the engine speaks
#   API=1.41 spec/evidence/record.sh
#
# Needs curl, tar and /bin/busybox (Debian's busybox-static).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
sock=${DOCKER_SOCK:-/var/run/docker.sock}
api=${API:-$(curl -sf --unix-socket "$sock" http://localhost/version | sed -n 's/.*"ApiVersion":"\([0-9.]*\)".*/\1/p')}
base="http://localhost/v$api"
tag="docker-sdk-evidence:$$"
work=$(mktemp -d)
cid=""
cleanup() {
  [[ -n "$cid" ]] && curl -s --unix-socket "$sock" -X DELETE "$base/containers/$cid?force=1" >/dev/null || true
  curl -s --unix-socket "$sock" -X DELETE "$base/images/$tag?force=1" >/dev/null || true
  curl -s --unix-socket "$sock" -X DELETE "$base/images/$tag-import?force=1" >/dev/null || true
  curl -s --unix-socket "$sock" -X DELETE "$base/images/$tag-hosts?force=1" >/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT

# transcript NAME CURL-ARGS...: the response's status line and content type,
# then its body (Date and other host-specific headers are left out).
transcript() {
  local name=$1; shift
  local out="$here/v$api-$name.http"
  curl -s -D "$work/headers" -o "$work/body" --unix-socket "$sock" "$@" || true
  {
    grep '^HTTP/' "$work/headers" | tail -n1 | tr -d '\r'
    { grep -i '^content-type:' "$work/headers" || true; } | tr -d '\r'
    echo
    cat "$work/body"
  } >"$out"
  echo "recorded $out" >&2
}

# A tiny busybox image, built from a context we tar ourselves.
mkdir -p "$work/ctx/bin"
cp /bin/busybox "$work/ctx/bin/busybox"
ln -s busybox "$work/ctx/bin/sh"
ln -s busybox "$work/ctx/bin/sleep"
printf 'FROM scratch\nCOPY bin /bin\nLABEL docker-sdk-evidence=1\nCMD ["sh"]\n' >"$work/ctx/Dockerfile"
tar -C "$work/ctx" -cf "$work/ctx.tar" .

transcript image-build-progress -X POST "$base/build?t=$tag&rm=1" \
  -H 'Content-Type: application/x-tar' --data-binary "@$work/ctx.tar"

tar -C "$work/ctx" -cf "$work/rootfs.tar" bin
transcript image-create-import-progress -X POST "$base/images/create?fromSrc=-&repo=${tag%%:*}&tag=$$-import" \
  -H 'Content-Type: application/x-tar' --data-binary "@$work/rootfs.tar"

curl -s --unix-socket "$sock" -o "$work/saved.tar" "$base/images/$tag/get"
transcript image-load-progress -X POST "$base/images/load" \
  -H 'Content-Type: application/x-tar' --data-binary "@$work/saved.tar"

# Nothing listens on port 9: the push fails, inside a 200 stream.
curl -s --unix-socket "$sock" -X POST "$base/images/$tag/tag?repo=127.0.0.1:9/docker-sdk-evidence&tag=$$" >/dev/null
transcript image-push-progress -X POST "$base/images/127.0.0.1:9/docker-sdk-evidence/push?tag=$$" \
  -H 'X-Registry-Auth: e30='
curl -s --unix-socket "$sock" -X DELETE "$base/images/127.0.0.1:9/docker-sdk-evidence:$$" >/dev/null

since=$(date +%s)
cid=$(curl -s --unix-socket "$sock" -X POST "$base/containers/create" -H 'Content-Type: application/json' \
  -d "{\"Image\":\"$tag\",\"Cmd\":[\"sleep\",\"30\"],\"Labels\":{\"docker-sdk-evidence\":\"1\"}}" |
  sed -n 's/.*"Id":"\([0-9a-f]*\)".*/\1/p')
curl -s --unix-socket "$sock" -X POST "$base/containers/$cid/start" >/dev/null
# Stats stream until the caller stops reading: take what 2.5 s bring.
transcript container-stats-stream --max-time 2.5 "$base/containers/$cid/stats"

# Connect takes `EndpointConfig`, disconnect takes `Force` (patch 0009: the
# 1.41 swagger gives each body the other's title).
net="docker-sdk-evidence-$$"
nid=$(curl -s --unix-socket "$sock" -X POST "$base/networks/create" -H 'Content-Type: application/json' \
  -d "{\"Name\":\"$net\",\"Labels\":{\"docker-sdk-evidence\":\"1\"}}" | sed -n 's/.*"Id":"\([0-9a-f]*\)".*/\1/p')
transcript network-connect-endpoint-config -X POST "$base/networks/$nid/connect" -H 'Content-Type: application/json' \
  -d "{\"Container\":\"$cid\",\"EndpointConfig\":{\"Aliases\":[\"evidence-alias\"]}}"
transcript network-connect-aliases-taken "$base/containers/$cid/json"
transcript network-disconnect-force -X POST "$base/networks/$nid/disconnect" -H 'Content-Type: application/json' \
  -d "{\"Container\":\"$cid\",\"Force\":true}"
curl -s --unix-socket "$sock" -X DELETE "$base/networks/$nid" >/dev/null
curl -s --unix-socket "$sock" -X POST "$base/containers/$cid/kill" >/dev/null
sleep 1
transcript system-events-lines "$base/events?since=$since&until=$(($(date +%s) + 1))&filters=%7B%22container%22%3A%5B%22$cid%22%5D%7D"

# Repeated `extrahosts` parameters each add a host; one comma-joined value is
# refused (patch 0007).
printf 'FROM %s\nRUN cat /etc/hosts\n' "$tag" >"$work/hosts.Dockerfile"
mkdir -p "$work/hosts" && cp "$work/hosts.Dockerfile" "$work/hosts/Dockerfile"
tar -C "$work/hosts" -cf "$work/hosts.tar" .
transcript build-extrahosts-repeated -X POST \
  "$base/build?t=$tag-hosts&rm=1&nocache=1&extrahosts=one.example:10.0.0.1&extrahosts=two.example:10.0.0.2" \
  -H 'Content-Type: application/x-tar' --data-binary "@$work/hosts.tar"
transcript build-extrahosts-joined -X POST \
  "$base/build?rm=1&nocache=1&extrahosts=one.example:10.0.0.1,two.example:10.0.0.2" \
  -H 'Content-Type: application/x-tar' --data-binary "@$work/hosts.tar"

# A registry that wants credentials: distribution inspect fails without an
# X-Registry-Auth header and answers with one (patch 0008). Needs Debian's
# docker-registry and htpasswd; skipped without them.
if command -v docker-registry >/dev/null && command -v htpasswd >/dev/null; then
  port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
  mkdir -p "$work/registry"
  htpasswd -Bbn evidence evidence-pw >"$work/registry/htpasswd"
  printf 'version: 0.1\nlog:\n  level: error\nstorage:\n  filesystem:\n    rootdirectory: %s\nhttp:\n  addr: 127.0.0.1:%s\nauth:\n  htpasswd:\n    realm: evidence\n    path: %s\n' \
    "$work/registry/data" "$port" "$work/registry/htpasswd" >"$work/registry/config.yml"
  docker-registry serve "$work/registry/config.yml" >/dev/null 2>&1 &
  registry_pid=$!
  for _ in $(seq 1 50); do curl -s -o /dev/null "http://127.0.0.1:$port/v2/" && break; sleep 0.1; done
  auth=$(printf '{"username":"evidence","password":"evidence-pw","serveraddress":"127.0.0.1:%s"}' "$port" | base64 -w0 | tr '+/' '-_')
  remote="127.0.0.1:$port/docker-sdk-evidence"
  curl -s --unix-socket "$sock" -X POST "$base/images/$tag/tag?repo=$remote&tag=v1" >/dev/null
  curl -s --unix-socket "$sock" -X POST "$base/images/$remote/push?tag=v1" -H "X-Registry-Auth: $auth" >/dev/null
  transcript distribution-inspect-no-auth "$base/distribution/$remote:v1/json"
  transcript distribution-inspect-with-auth "$base/distribution/$remote:v1/json" -H "X-Registry-Auth: $auth"
  curl -s --unix-socket "$sock" -X DELETE "$base/images/$remote:v1" >/dev/null
  kill "$registry_pid" 2>/dev/null || true
  # The port differs per run: keep the transcripts comparable.
  sed -i "s/127\.0\.0\.1:$port/127.0.0.1:PORT/g" "$here"/v"$api"-distribution-inspect-*.http
fi

# A version above the engine's is refused, on any path, with an ErrorResponse.
transcript version-too-new "http://localhost/v1.99/version"
