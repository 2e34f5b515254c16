#!/usr/bin/env bash
# Starts kauthd on its embedded default configuration (dev CA, serving certificate, demo tokens).
# Until the server lands (issue 3), this installs the dependencies, builds libkauth and says so.
set -euo pipefail
cd "$(dirname "$0")/.."
./scripts/setup.sh
cmake --preset release >/dev/null
cmake --build --preset release
echo
echo "libkauth is built (build/release). kauthd arrives in the next step (the HTTPS server issue);"
echo "until then, run the tests: ./scripts/test.sh"
