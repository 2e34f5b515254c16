#!/usr/bin/env bash
# Installs what is missing, builds with the dev preset (warnings are errors) and runs every test.
# The last line of output is "<N> passed, <N> failed" (skipped tests, with their reasons, are
# listed by CTest above it).
set -uo pipefail
cd "$(dirname "$0")/.."
./scripts/setup.sh || exit 1
cmake --preset dev >/dev/null || exit 1
cmake --build --preset dev || exit 1

junit=build/dev/ctest-junit.xml
ctest --preset dev -j "$(nproc)" --output-junit "$(pwd)/$junit"
status=$?

# CTest writes the <testsuite> attributes one per line; join them before reading.
summary=$(tr '\n\t' '  ' <"$junit" 2>/dev/null | grep -o '<testsuite [^>]*>' | head -n 1)
attr() { sed -n "s/.* $1=\"\([0-9]*\)\".*/\1/p" <<<"$summary"; }
total=$(attr tests) failed=$(attr failures) skipped=$(attr skipped)
if [[ -n "$total" ]]; then
  echo "$((total - failed - skipped)) passed, $failed failed"
else
  echo "0 passed, 1 failed (no test results were written)"
  status=1
fi
exit "$status"
