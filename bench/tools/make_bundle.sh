#!/bin/bash
# Packs kauthd and the comparison's peers (nginx, wrk, h2load, openssl) with every shared library
# they load, this machine's dynamic loader included, into one folder that runs on another x86-64
# Linux machine without installing anything (e.g. a bigger machine for bench/compare.py).
# Usage: bench/tools/make_bundle.sh <kauthd binary> <out dir>
# Then, there: PATH=<out dir>/bin:$PATH python3 bench/compare.py --kauthd <out dir>/bin/kauthd ...
set -euo pipefail
KAUTHD=$1; OUT=$2
rm -rf "$OUT"; mkdir -p "$OUT/bin" "$OUT/real" "$OUT/lib"
for tool in "$KAUTHD" "$(command -v nginx)" "$(command -v wrk)" "$(command -v h2load)" "$(command -v openssl)"; do
  name=$(basename "$tool")
  cp "$tool" "$OUT/real/$name"
  [ "$name" = kauthd ] && strip "$OUT/real/$name"
  ldd "$tool" | awk '/=>/ {print $3} /ld-linux/ {print $1}' | while read -r lib; do
    [ -f "$lib" ] && cp -L "$lib" "$OUT/lib/"
  done
  # The bundled loader and libraries, wherever the bundle lands.
  cat > "$OUT/bin/$name" <<WRAP
#!/bin/sh
here=\$(cd "\$(dirname "\$0")/.." && pwd)
exec "\$here/lib/ld-linux-x86-64.so.2" --library-path "\$here/lib" "\$here/real/$name" "\$@"
WRAP
  chmod +x "$OUT/bin/$name"
done
du -sh "$OUT"
