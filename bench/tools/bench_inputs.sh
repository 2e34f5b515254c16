# Sourced by the instructions-per-request tools: makes sure /tmp/kauth-ipr holds a PKI and a
# 10,000-token file (bench/compare.py's generators) and sets D (that folder) and HERE (bench/).
D=/tmp/kauth-ipr
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
if [ ! -f $D/tok ]; then
  mkdir -p $D
  /usr/bin/python3 - "$HERE" "$D" <<'PY'
import sys
from pathlib import Path
sys.path.insert(0, sys.argv[1])
import compare
d = Path(sys.argv[2])
compare.make_pki(d)
tokens = compare.make_tokens(d)
(d / "tok").write_text(tokens[len(tokens) // 2])
PY
fi
