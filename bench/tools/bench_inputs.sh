# Sourced by the instructions-per-request tools and build_pgo.sh: makes sure /tmp/kauth-ipr holds
# a PKI and a 10,000-token file (bench/compare.py's generators), sets D (that folder) and HERE
# (bench/), and defines write_upstream_conf.
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

# write_upstream_conf <folder> <port>: <folder>/upstream.conf, a one-worker keep-alive nginx on
# 127.0.0.1:<port> that answers "ok" (the upstream of the proxied measurements), its files in
# <folder>.
write_upstream_conf() {
  cat > "$1/upstream.conf" <<CONF
worker_processes 1;
pid $1/nginx.pid;
error_log $1/nginx.err warn;
daemon off;
events { worker_connections 4096; }
http {
  access_log off;
  client_body_temp_path $1/body;
  proxy_temp_path $1/proxy;
  fastcgi_temp_path $1/fastcgi;
  uwsgi_temp_path $1/uwsgi;
  scgi_temp_path $1/scgi;
  server { listen 127.0.0.1:$2; keepalive_requests 1000000; location / { return 200 'ok\n'; } }
}
CONF
}
