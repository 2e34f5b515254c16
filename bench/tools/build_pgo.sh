#!/bin/bash
# Builds kauthd with profile-guided optimisation (g++): an instrumented build, a training run,
# then the optimised build, all in one build folder (g++ names profiles after object paths).
# Usage: bench/tools/build_pgo.sh [build folder, default build/pgo]
# Prints the optimised binary's path last: <build folder>/src/kauthd/kauthd.
#
# The training serves what kauthd serves in production and in bench/compare.py: valid and
# invalid bearer tokens over HTTP/1.1 and HTTP/2, a proxied request to a keep-alive upstream,
# mTLS handshakes, and the APIs (health, metrics, version, TokenReview, SelfSubjectReview).
# Needs nginx (the upstream), wrk, h2load, openssl and curl, as compare.py does. Leave the sources
# alone while it runs: a profile whose source changed fails the optimised build (g++'s
# coverage-mismatch warning, an error under KAUTH_WERROR).
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
B=$(realpath -m "${1:-$ROOT/build/pgo}")
PROFILES=$B/pgo-profiles
for tool in nginx wrk h2load openssl curl; do
  command -v $tool >/dev/null || { echo "build_pgo.sh: $tool is needed for the training run" >&2; exit 1; }
done

configure() {
  cmake -S "$ROOT" -B "$B" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo -DCMAKE_CXX_COMPILER=g++ \
    -DKAUTH_BUILD_TESTS=OFF -DKAUTH_BUILD_BENCH=OFF "$@" >/dev/null
}

echo "== instrumented build"
rm -rf "$PROFILES"
configure -DKAUTH_PGO_GENERATE="$PROFILES" -DKAUTH_PGO_USE=
ninja -C "$B" kauthd >/dev/null

echo "== training"
source "$ROOT/bench/tools/bench_inputs.sh"  # sets D: PKI and a 10,000-token file
W=$(mktemp -d /tmp/kauth-pgo.XXXXXX)
PIDS=()
cleanup() {
  for p in "${PIDS[@]}"; do kill -TERM "$p" 2>/dev/null || true; done
  wait 2>/dev/null || true
  rm -rf "$W"
}
trap cleanup EXIT
port() { /usr/bin/python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
UP=$(port); K=$(port); KP=$(port)
write_upstream_conf "$W" $UP
nginx -e "$W/nginx.err" -c "$W/upstream.conf" &
PIDS+=($!)
COMMON=(--bind-address=127.0.0.1 --threads=1 --tls-cert-file=$D/server.crt
        --tls-private-key-file=$D/server.key --client-ca-file=$D/client-ca.crt
        --token-auth-file=$D/tokens.csv --cert-dir=$W)
# The tunable stops kauthd's re-execution of itself (see src/kauthd/malloc_tuning.h), so that
# the profiles are the process's own.
export GLIBC_TUNABLES=glibc.malloc.tcache_count=128
"$B/src/kauthd/kauthd" "${COMMON[@]}" --secure-port=$K >"$W/kauthd.log" 2>&1 &
KPID=$!
PIDS+=($KPID)
"$B/src/kauthd/kauthd" "${COMMON[@]}" --secure-port=$KP --upstream=http://127.0.0.1:$UP \
  >"$W/proxy.log" 2>&1 &
PROXY_PID=$!
PIDS+=($PROXY_PID)
for p in $K $KP; do
  for _ in $(seq 1 100); do curl -sk https://127.0.0.1:$p/healthz >/dev/null 2>&1 && break; sleep 0.2; done
done
T=$(cat "$D/tok")
H="Authorization: Bearer $T"
wrk -t1 -c50 -d6s -H "$H" https://127.0.0.1:$K/version >/dev/null
wrk -t1 -c50 -d3s -H "Authorization: Bearer not-a-known-token" https://127.0.0.1:$K/version >/dev/null
wrk -t1 -c50 -d6s -H "$H" https://127.0.0.1:$KP/version >/dev/null
h2load -n 20000 -c 4 -m 50 -H "authorization: Bearer $T" https://127.0.0.1:$K/version >/dev/null
timeout 10 openssl s_time -connect 127.0.0.1:$K -new -time 3 -cert "$D/client.crt" \
  -key "$D/client.key" -CAfile "$D/server-ca.crt" -www /version >/dev/null 2>&1 || true
# The answers are not checked here (the tests do that): only the code paths matter.
for path in /healthz /livez /readyz /metrics /version /apis/authentication.k8s.io/v1; do
  curl -sk -H "$H" https://127.0.0.1:$K$path >/dev/null || true
done
curl -sk -H "$H" -H 'Content-Type: application/json' -X POST \
  -d '{"apiVersion":"authentication.k8s.io/v1","kind":"SelfSubjectReview"}' \
  https://127.0.0.1:$K/apis/authentication.k8s.io/v1/selfsubjectreviews >/dev/null || true
curl -sk -H "$H" -H 'Content-Type: application/json' -X POST \
  -d "{\"apiVersion\":\"authentication.k8s.io/v1\",\"kind\":\"TokenReview\",\"spec\":{\"token\":\"$T\"}}" \
  https://127.0.0.1:$K/apis/authentication.k8s.io/v1/tokenreviews >/dev/null || true
# Profiles are written when kauthd exits.
kill -TERM $KPID $PROXY_PID
wait $KPID $PROXY_PID || true
if [ -z "$(find "$PROFILES" -name '*.gcda' -print -quit 2>/dev/null)" ]; then
  echo "build_pgo.sh: the training wrote no profiles to $PROFILES" >&2
  exit 1
fi

echo "== optimised build"
configure -DKAUTH_PGO_GENERATE= -DKAUTH_PGO_USE="$PROFILES"
ninja -C "$B" kauthd >/dev/null
echo "$B/src/kauthd/kauthd"
