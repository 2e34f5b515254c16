#!/usr/bin/env bash
# Installs what is missing, builds from scratch-or-incrementally with the dev preset and runs every
# test. Ends with CTest's summary line.
set -euo pipefail
cd "$(dirname "$0")/.."
./scripts/setup.sh
cmake --preset dev >/dev/null
cmake --build --preset dev
ctest --preset dev -j "$(nproc)"
