#!/bin/bash
# Instructions per request in kauthd (callgrind), counted only around the measured requests.
# Usage: bench/tools/instructions_per_request.sh <kauthd binary> <requests> [extra h2load flags, e.g. --h1]
# TOKEN=<value> in the environment replaces the valid token (e.g. TOKEN=bad for the 401 path).
# Generates a PKI and a 10,000-token file once in /tmp/kauth-ipr (via bench/compare.py's helpers).
set -euo pipefail
# kauthd re-executes itself unless this tunable is set, and valgrind does not follow exec.
K=$1; N=${2:-2000}; shift 2
source "$(dirname "$0")/bench_inputs.sh"
PORT=$((20000 + RANDOM % 20000))
rm -f $D/cg.out*
GLIBC_TUNABLES=glibc.malloc.tcache_count=128 valgrind --tool=callgrind --instr-atstart=no --callgrind-out-file=$D/cg.out "$K" --bind-address=127.0.0.1 \
  --secure-port=$PORT --threads=1 --tls-cert-file=$D/server.crt --tls-private-key-file=$D/server.key \
  --client-ca-file=$D/client-ca.crt --token-auth-file=$D/tokens.csv --cert-dir=$D > $D/kauthd.log 2>&1 &
P=$!
for i in $(seq 1 100); do curl -sk https://127.0.0.1:$PORT/healthz >/dev/null 2>&1 && break; sleep 0.3; done
H="authorization: Bearer ${TOKEN:-$(cat $D/tok)}"
h2load "$@" -n 200 -c 1 -H "$H" https://127.0.0.1:$PORT/version >/dev/null
callgrind_control -i on $P >/dev/null
h2load "$@" -n $N -c 1 -H "$H" https://127.0.0.1:$PORT/version | grep -E "^(requests|status codes):"
callgrind_control -d $P >/dev/null; sleep 1
T=$(grep -h "^summary" $D/cg.out.1 | awk '{print $2}')
echo "instructions/request: $((T / N))   (profile: $D/cg.out.1, callgrind_annotate --inclusive=yes)"
kill $P; wait 2>/dev/null || true
