#!/bin/bash
# Instructions per request in kauthd as an authenticating proxy (callgrind), counted only around
# the measured requests: TLS in, bearer token, forwarded to a keep-alive plain-HTTP nginx that
# answers "ok". The non-proxy figure (instructions_per_request.sh) subtracted from this one is
# the proxy leg's cost.
# Usage: bench/tools/proxy_instructions_per_request.sh <kauthd binary> <requests> [extra h2load flags]
# Generates a PKI and a 10,000-token file once in /tmp/kauth-ipr (via bench/compare.py's helpers).
set -euo pipefail
# kauthd re-executes itself unless this tunable is set, and valgrind does not follow exec.
K=$1; N=${2:-2000}; shift 2
source "$(dirname "$0")/bench_inputs.sh"
W=$(mktemp -d /tmp/kauth-pipr.XXXXXX)
PORT=$((20000 + RANDOM % 20000))
UPORT=$((PORT + 1))
write_upstream_conf "$W" $UPORT
nginx -e $W/nginx.err -c $W/upstream.conf &
U=$!
GLIBC_TUNABLES=glibc.malloc.tcache_count=128 valgrind --tool=callgrind --instr-atstart=no --callgrind-out-file=$W/cg.out "$K" \
  --bind-address=127.0.0.1 --secure-port=$PORT --threads=1 --upstream=http://127.0.0.1:$UPORT \
  --tls-cert-file=$D/server.crt --tls-private-key-file=$D/server.key \
  --client-ca-file=$D/client-ca.crt --token-auth-file=$D/tokens.csv --cert-dir=$D \
  > $W/kauthd.log 2>&1 &
P=$!
trap 'kill $P $U 2>/dev/null || true; wait 2>/dev/null || true' EXIT
for i in $(seq 1 100); do curl -sk https://127.0.0.1:$PORT/healthz >/dev/null 2>&1 && break; sleep 0.3; done
H="authorization: Bearer $(cat $D/tok)"
h2load --h1 "$@" -n 200 -c 1 -H "$H" https://127.0.0.1:$PORT/apis/x >/dev/null
callgrind_control -i on $P >/dev/null 2>&1
h2load --h1 "$@" -n $N -c 1 -H "$H" https://127.0.0.1:$PORT/apis/x | grep -E "^(requests|status codes):"
callgrind_control -d $P >/dev/null 2>&1; sleep 1
T=$(grep -h "^summary" $W/cg.out.1 | awk '{print $2}')
echo "instructions/request: $((T / N))   (profile: $W/cg.out.1, callgrind_annotate --inclusive=yes)"
