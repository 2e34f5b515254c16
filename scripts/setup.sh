#!/usr/bin/env bash
# Installs every Debian package kauth's build, tests, fuzzers and benchmarks need.
# Idempotent: packages already present are left alone. Runs apt-get as root (sudo when not root).
set -euo pipefail

packages=(
  build-essential cmake ninja-build pkg-config g++ clang-14 libclang-rt-14-dev
  libboost1.81-all-dev libssl-dev openssl libspdlog-dev libfmt-dev libcli11-dev libyaml-cpp-dev
  libnghttp2-dev libgtest-dev libgmock-dev libbenchmark-dev
  curl nginx-light wrk nghttp2-client python3-kubernetes valgrind
)

missing=()
for p in "${packages[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed'; then
    missing+=("$p")
  fi
done

if ((${#missing[@]} == 0)); then
  echo "setup: all ${#packages[@]} packages already installed"
  exit 0
fi

sudo=()
if [[ $(id -u) -ne 0 ]]; then sudo=(sudo); fi
echo "setup: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
"${sudo[@]}" apt-get update -qq
"${sudo[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}"
echo "setup: done"
