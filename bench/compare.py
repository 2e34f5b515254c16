#!/usr/bin/python3
"""kauthd against nginx doing the same authentication, side by side in one run (issue 7).

One command:

    bench/compare.py --kauthd build/release/src/kauthd/kauthd

generates one PKI (ECDSA P-256) and one 10,000-token file (Kubernetes CSV for kauthd, the same
tokens as an nginx `map` for nginx), starts kauthd and nginx with the same number of threads /
workers and the same TLS settings on 127.0.0.1, and runs each workload against both, interleaved
(nginx, kauthd, nginx, kauthd, ...), reporting the median of the pairs:

  W1 bearer, tiny answer   wrk, 50 keep-alive TLS connections, a valid token, GET /version
                           (nginx: `return 200` with the mapped user)
  W2 bearer proxy          the same, forwarded to one shared keep-alive upstream (a third
                           server, plain HTTP) with the identity in X-Remote-User
  W3 mTLS handshakes       a new TLS connection with a client certificate per request
                           (`openssl s_time -new`, several processes)
  W4 rejects               wrk with an unknown token: the 401 path
  W5 HTTP/2                h2load, many streams per connection

For each: requests/s, p50/p99 latency, server CPU time per request (from /proc), the
kauthd/nginx ratio; plus callgrind instructions per W1 request for kauthd, a figure machine noise
does not move. `--write-docs` replaces the marked section of docs/benchmarks.md.

Only the standard library; runs with /usr/bin/python3. Needs nginx, wrk, h2load, openssl and
(for the instruction count) valgrind: scripts/setup.sh installs them.
"""

import argparse
import os
import platform
import re
import secrets
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
DOC = REPO / "docs" / "benchmarks.md"
BEGIN_MARK = "<!-- compare.py:begin -->"
END_MARK = "<!-- compare.py:end -->"
TOKENS = 10_000
CLK_TCK = os.sysconf("SC_CLK_TCK")


def log(message):
    print(message, file=sys.stderr, flush=True)


def run(argv, **kwargs):
    return subprocess.run(argv, check=True, capture_output=True, text=True, **kwargs)


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_for_port(port, timeout=20.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                return True
        except OSError:
            time.sleep(0.05)
    return False


# --- Inputs -------------------------------------------------------------------------------------


def make_pki(d):
    """Server and client CAs, a serving certificate for 127.0.0.1 and a client certificate, all
    ECDSA P-256."""

    def key(name):
        run(["openssl", "ecparam", "-name", "prime256v1", "-genkey", "-noout", "-out", d / f"{name}.key"])

    def ca(name):
        key(name)
        run(["openssl", "req", "-x509", "-new", "-key", d / f"{name}.key", "-subj", f"/CN={name}",
             "-days", "2", "-out", d / f"{name}.crt"])

    def leaf(name, ca_name, subject, ext):
        key(name)
        run(["openssl", "req", "-new", "-key", d / f"{name}.key", "-subj", subject, "-out", d / f"{name}.csr"])
        (d / f"{name}.ext").write_text(ext)
        run(["openssl", "x509", "-req", "-in", d / f"{name}.csr", "-CA", d / f"{ca_name}.crt",
             "-CAkey", d / f"{ca_name}.key", "-CAcreateserial", "-days", "2",
             "-extfile", d / f"{name}.ext", "-out", d / f"{name}.crt"])

    ca("server-ca")
    ca("client-ca")
    leaf("server", "server-ca", "/CN=127.0.0.1",
         "subjectAltName=IP:127.0.0.1\nextendedKeyUsage=serverAuth\n")
    leaf("client", "client-ca", "/O=bench/CN=bench-user", "extendedKeyUsage=clientAuth\n")


def make_tokens(d):
    tokens = [secrets.token_hex(16) for _ in range(TOKENS)]
    with open(d / "tokens.csv", "w") as f:
        for i, token in enumerate(tokens):
            f.write(f'{token},user{i},uid{i},"group-a,group-b"\n')
    with open(d / "tokens.map", "w") as f:
        for i, token in enumerate(tokens):
            f.write(f'"Bearer {token}" "user{i}";\n')
    return tokens


NGINX_CONF = """
worker_processes {workers};
pid {dir}/nginx-{name}.pid;
error_log {dir}/nginx-{name}.err warn;
daemon off;
events {{ worker_connections 65536; }}
http {{
  access_log off;
  default_type application/json;
  # Temporary files under the run's folder: the package's defaults (/var/lib/nginx) may not exist.
  client_body_temp_path {dir}/{name}-body;
  proxy_temp_path {dir}/{name}-proxy;
  fastcgi_temp_path {dir}/{name}-fastcgi;
  uwsgi_temp_path {dir}/{name}-uwsgi;
  scgi_temp_path {dir}/{name}-scgi;
  map_hash_max_size 65536;
  map_hash_bucket_size 128;
  # The bearer token map: the nginx equivalent of --token-auth-file.
  map $http_authorization $token_user {{
    default "";
    include {dir}/tokens.map;
  }}
  map $ssl_client_verify $cert_user {{
    default "";
    SUCCESS $ssl_client_s_dn;
  }}
  map "$token_user|$cert_user" $bench_user {{
    "|" "";
    "~^(?<t>[^|]+)\\|" $t;
    "~^\\|(?<c>.+)$" $c;
  }}
  upstream shared_upstream {{
    server 127.0.0.1:{upstream_port};
    keepalive 128;
  }}
  server {{
    listen 127.0.0.1:{port} ssl {http2};
    ssl_certificate {dir}/server.crt;
    ssl_certificate_key {dir}/server.key;
    ssl_client_certificate {dir}/client-ca.crt;
    ssl_verify_client optional;
    ssl_protocols TLSv1.2 TLSv1.3;
    ssl_session_cache shared:bench:10m;
    keepalive_requests 1000000;
    http2_max_concurrent_streams 250;
    location = /version {{
      if ($bench_user = "") {{
        return 401 '{{"kind":"Status","apiVersion":"v1","metadata":{{}},"status":"Failure","message":"Unauthorized","reason":"Unauthorized","code":401}}\\n';
      }}
      return 200 '{{"major":"1","minor":"32","user":"$bench_user"}}\\n';
    }}
    location / {{
      if ($bench_user = "") {{
        return 401 '{{"kind":"Status","apiVersion":"v1","metadata":{{}},"status":"Failure","message":"Unauthorized","reason":"Unauthorized","code":401}}\\n';
      }}
      proxy_pass http://shared_upstream;
      proxy_http_version 1.1;
      proxy_set_header Connection "";
      proxy_set_header Authorization "";
      proxy_set_header X-Remote-User $bench_user;
      proxy_set_header X-Remote-Group system:authenticated;
    }}
  }}
}}
"""

UPSTREAM_CONF = """
worker_processes {workers};
pid {dir}/nginx-upstream.pid;
error_log {dir}/nginx-upstream.err warn;
daemon off;
events {{ worker_connections 65536; }}
http {{
  access_log off;
  # Temporary files under the run's folder: the package's defaults (/var/lib/nginx) may not exist.
  client_body_temp_path {dir}/upstream-body;
  proxy_temp_path {dir}/upstream-proxy;
  fastcgi_temp_path {dir}/upstream-fastcgi;
  uwsgi_temp_path {dir}/upstream-uwsgi;
  scgi_temp_path {dir}/upstream-scgi;
  server {{
    listen 127.0.0.1:{port};
    keepalive_requests 1000000;
    location / {{ return 200 'ok\\n'; }}
  }}
}}
"""


# --- Processes -----------------------------------------------------------------------------------


class Server:
    """A server process (group) whose CPU time can be read."""

    def __init__(self, name, argv, port, log_dir, cpus=None):
        self.name = name
        self.port = port
        if cpus:
            argv = ["taskset", "-c", cpus] + argv
        # A file, not a pipe: a server blocked on a full pipe would measure the pipe.
        self.log_path = log_dir / f"{name}.log"
        with open(self.log_path, "w") as log_file:
            self.process = subprocess.Popen(argv, stdout=log_file, stderr=subprocess.STDOUT,
                                            start_new_session=True)
        if not wait_for_port(port) or self.process.poll() is not None:
            self.stop()
            raise RuntimeError(f"{name} did not start: {self.log_path.read_text()[-2000:]}")

    def pids(self):
        pgid = self.process.pid
        out = []
        for entry in os.listdir("/proc"):
            if entry.isdigit():
                try:
                    if os.getpgid(int(entry)) == pgid:
                        out.append(int(entry))
                except OSError:
                    pass
        return out

    def cpu_seconds(self):
        total = 0
        for pid in self.pids():
            try:
                fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
                total += int(fields[11]) + int(fields[12])  # utime, stime
            except OSError:
                pass
        return total / CLK_TCK

    def rss_kib(self):
        total = 0
        for pid in self.pids():
            try:
                m = re.search(r"VmRSS:\s+(\d+)", Path(f"/proc/{pid}/status").read_text())
                total += int(m.group(1)) if m else 0
            except OSError:
                pass
        return total

    def stop(self):
        try:
            os.killpg(self.process.pid, signal.SIGTERM)
        except ProcessLookupError:
            pass
        try:
            self.process.wait(10)
        except subprocess.TimeoutExpired:
            os.killpg(self.process.pid, signal.SIGKILL)


# --- Load tools ----------------------------------------------------------------------------------


def parse_duration_ms(text):
    m = re.match(r"([\d.]+)(us|ms|s|m)$", text)
    value, unit = float(m.group(1)), m.group(2)
    return value * {"us": 0.001, "ms": 1, "s": 1000, "m": 60000}[unit]


def wrk(url, header, seconds, connections, threads, cpus):
    argv = ["wrk", "-t", str(threads), "-c", str(connections), "-d", f"{seconds}s", "--latency",
            "-H", header, url]
    if cpus:
        argv = ["taskset", "-c", cpus] + argv
    out = run(argv).stdout
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))
    requests = int(re.search(r"(\d+) requests in", out).group(1))
    p50 = parse_duration_ms(re.search(r"\s50%\s+(\S+)", out).group(1))
    p99 = parse_duration_ms(re.search(r"\s99%\s+(\S+)", out).group(1))
    non2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    errors = re.search(r"Socket errors: (.*)", out)
    return {"rps": rps, "requests": requests, "p50": p50, "p99": p99,
            "non2xx": int(non2xx.group(1)) if non2xx else 0,
            "errors": errors.group(1) if errors else ""}


def h2load(url, header, seconds, connections, streams, threads, cpus, workdir):
    log_file = workdir / "h2load.log"
    argv = ["h2load", "-D", str(seconds), "-c", str(connections), "-m", str(streams),
            "-t", str(threads), "-H", header, "--log-file", str(log_file), url]
    if cpus:
        argv = ["taskset", "-c", cpus] + argv
    out = run(argv).stdout
    rps = float(re.search(r"finished in [\d.]+\w+, ([\d.]+) req/s", out).group(1))
    m = re.search(r"requests: \d+ total, \d+ started, (\d+) done, (\d+) succeeded, (\d+) failed, (\d+) errored", out)
    done, succeeded = int(m.group(1)), int(m.group(2))
    proto = re.search(r"Application protocol: (\S+)", out)
    latencies = []
    with open(log_file) as f:
        for line in f:
            parts = line.split()
            if len(parts) >= 3:
                latencies.append(int(parts[2]) / 1000.0)  # microseconds -> ms
    latencies.sort()
    def pct(p):
        return latencies[min(len(latencies) - 1, int(len(latencies) * p))] if latencies else float("nan")
    return {"rps": rps, "requests": done, "p50": pct(0.50), "p99": pct(0.99),
            "non2xx": done - succeeded, "errors": "" if proto and proto.group(1) == "h2" else "not h2",
            "protocol": proto.group(1) if proto else "?"}


def s_time(port, workdir, seconds, processes, cpus):
    """New TLS connections (full handshakes) with the client certificate, one GET each."""
    argv = ["openssl", "s_time", "-connect", f"127.0.0.1:{port}", "-new", "-time", str(seconds),
            "-cert", str(workdir / "client.crt"), "-key", str(workdir / "client.key"),
            "-CAfile", str(workdir / "server-ca.crt"), "-www", "/version"]
    if cpus:
        argv = ["taskset", "-c", cpus] + argv
    procs = [subprocess.Popen(argv, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
             for _ in range(processes)]
    total = 0.0
    connections = 0
    for p in procs:
        out = p.communicate()[0]
        m = re.search(r"(\d+) connections in ([\d.]+)s; ([\d.]+) connections/user sec", out)
        m2 = re.search(r"(\d+) connections in (\d+) real seconds", out)
        if m2:
            connections += int(m2.group(1))
            total += int(m2.group(1)) / max(1, int(m2.group(2)))
    return {"rps": total, "requests": connections, "p50": float("nan"), "p99": float("nan"),
            "non2xx": 0, "errors": ""}


# --- The run -------------------------------------------------------------------------------------


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--kauthd", default=str(REPO / "build/release/src/kauthd/kauthd"))
    parser.add_argument("--build", default="the release preset (g++ -O2)",
                        help="how the --kauthd binary was built, for the report")
    parser.add_argument("--seconds", type=int, default=10, help="per measurement")
    parser.add_argument("--pairs", type=int, default=3, help="nginx/kauthd pairs per workload")
    parser.add_argument("--workloads", default="W1,W2,W3,W4,W5")
    parser.add_argument("--threads", type=int, default=0,
                        help="server threads / nginx workers (default: 1 on <= 2 cores, else half the cores)")
    parser.add_argument("--no-callgrind", action="store_true")
    parser.add_argument("--write-docs", action="store_true", help="update docs/benchmarks.md")
    args = parser.parse_args()

    for tool in ["nginx", "wrk", "h2load", "openssl"]:
        if not shutil.which(tool):
            sys.exit(f"compare.py: {tool} is not installed (run scripts/setup.sh)")
    kauthd = Path(args.kauthd)
    if not kauthd.exists():
        sys.exit(f"compare.py: {kauthd} not found (cmake --preset release && cmake --build --preset release)")

    cores = os.cpu_count() or 1
    threads = args.threads or (1 if cores <= 2 else cores // 2)
    # Servers on the first cores, load tools on the rest, when there are more than two.
    pin = cores > 2 and shutil.which("taskset") is not None
    server_cpus = f"0-{threads - 1}" if pin else None
    load_cpus = f"{threads}-{cores - 1}" if pin else None
    load_threads = max(1, cores - threads) if cores > 2 else 1

    workdir = Path(tempfile.mkdtemp(prefix="kauth-compare-"))
    log(f"inputs in {workdir}; {cores} cores, servers on {server_cpus or 'all'} "
        f"({threads} threads each), load on {load_cpus or 'all'}")
    make_pki(workdir)
    tokens = make_tokens(workdir)
    token = tokens[TOKENS // 2]

    upstream_port = free_port()
    (workdir / "upstream.conf").write_text(UPSTREAM_CONF.format(workers=1, dir=workdir, port=upstream_port))
    upstream = Server("upstream", ["nginx", "-e", str(workdir / "nginx-upstream.err"), "-c", str(workdir / "upstream.conf")],
                      upstream_port, workdir, cpus=server_cpus)
    servers = {}
    try:
        nginx_port = free_port()
        (workdir / "nginx.conf").write_text(NGINX_CONF.format(
            workers=threads, dir=workdir, name="bench", port=nginx_port, upstream_port=upstream_port,
            http2="http2"))
        servers["nginx"] = Server("nginx", ["nginx", "-e", str(workdir / "nginx-bench.err"), "-c", str(workdir / "nginx.conf")],
                                  nginx_port, workdir, cpus=server_cpus)
        common = [str(kauthd), "--bind-address=127.0.0.1", f"--threads={threads}",
                  f"--tls-cert-file={workdir / 'server.crt'}", f"--tls-private-key-file={workdir / 'server.key'}",
                  f"--client-ca-file={workdir / 'client-ca.crt'}", f"--token-auth-file={workdir / 'tokens.csv'}",
                  f"--cert-dir={workdir}"]
        kauthd_port = free_port()
        servers["kauthd"] = Server("kauthd", common + [f"--secure-port={kauthd_port}"], kauthd_port, workdir,
                                   cpus=server_cpus)
        proxy_port = free_port()
        try:
            servers["kauthd-proxy"] = Server("kauthd-proxy", common + [
                f"--secure-port={proxy_port}", f"--upstream=http://127.0.0.1:{upstream_port}"],
                proxy_port, workdir, cpus=server_cpus)
        except RuntimeError as e:
            log(f"kauthd proxy mode unavailable: {e}")

        bearer = f"Authorization: Bearer {token}"
        workloads = {
            "W1": ("bearer, tiny answer", lambda s, port: wrk(
                f"https://127.0.0.1:{port}/version", bearer, args.seconds, 50, load_threads, load_cpus)),
            "W2": ("bearer proxy", lambda s, port: wrk(
                f"https://127.0.0.1:{port}/proxied", bearer, args.seconds, 50, load_threads, load_cpus)),
            "W3": ("mTLS handshakes", lambda s, port: s_time(
                port, workdir, args.seconds, max(2, load_threads * 2), load_cpus)),
            "W4": ("rejects (401)", lambda s, port: wrk(
                f"https://127.0.0.1:{port}/version", "Authorization: Bearer not-a-known-token",
                args.seconds, 50, load_threads, load_cpus)),
            "W5": ("HTTP/2", lambda s, port: h2load(
                f"https://127.0.0.1:{port}/version", f"authorization: Bearer {token}",
                args.seconds, 10, 100, load_threads, load_cpus, workdir)),
        }
        results = {}
        for name in [w.strip() for w in args.workloads.split(",") if w.strip()]:
            title, measure = workloads[name]
            pairs = []
            for i in range(args.pairs):
                pair = {}
                for side in ["nginx", "kauthd"]:
                    server = servers.get("kauthd-proxy" if side == "kauthd" and name == "W2" else side)
                    if server is None:
                        continue
                    before = server.cpu_seconds()
                    try:
                        r = measure(server, server.port)
                    except (subprocess.CalledProcessError, AttributeError) as e:
                        log(f"{name} {side}: failed: {e}")
                        continue
                    r["cpu_us"] = (server.cpu_seconds() - before) * 1e6 / max(1, r["requests"])
                    pair[side] = r
                    log(f"{name} pair {i + 1} {side}: {r['rps']:.0f} req/s p50 {r['p50']:.2f} ms "
                        f"p99 {r['p99']:.2f} ms cpu {r['cpu_us']:.1f} us/req non2xx {r['non2xx']} {r['errors']}")
                pairs.append(pair)
            results[name] = (title, pairs)

        rss = rss_at_connections(servers, workdir)
        instructions = None if args.no_callgrind else callgrind_per_request(common, workdir, token)
    finally:
        for server in servers.values():
            server.stop()
        upstream.stop()

    report = format_report(results, rss, instructions, threads, cores, args)
    print(report)
    if args.write_docs:
        text = DOC.read_text()
        block = f"{BEGIN_MARK}\n{report}\n{END_MARK}"
        if BEGIN_MARK in text:
            text = re.sub(re.escape(BEGIN_MARK) + ".*?" + re.escape(END_MARK), lambda _: block, text, flags=re.S)
        else:
            text += "\n" + block + "\n"
        DOC.write_text(text)
        log(f"updated {DOC}")
    shutil.rmtree(workdir, ignore_errors=True)


def rss_at_connections(servers, workdir, count=1000):
    """Each server's resident memory while `count` idle TLS connections are open."""
    import ssl
    out = {}
    context = ssl.create_default_context(cafile=str(workdir / "server-ca.crt"))
    for side in ["nginx", "kauthd"]:
        server = servers.get(side)
        if server is None:
            continue
        conns = []
        try:
            for _ in range(count):
                raw = socket.create_connection(("127.0.0.1", server.port))
                tls = context.wrap_socket(raw, server_hostname="127.0.0.1")
                conns.append(tls)
            time.sleep(1)
            out[side] = server.rss_kib()
        except OSError as e:
            log(f"rss {side}: {e}")
        finally:
            for c in conns:
                c.close()
    return out


def callgrind_per_request(common, workdir, token, warmup=500, measured=5000):
    """Instructions per W1 request in kauthd, one thread, counted only around the measured
    requests (start-up and warm-up excluded)."""
    if not shutil.which("valgrind") or not shutil.which("callgrind_control"):
        return None
    port = free_port()
    out_file = workdir / "callgrind.out"
    argv = ["valgrind", "--tool=callgrind", "--instr-atstart=no", f"--callgrind-out-file={out_file}"]
    argv += [a for a in common if not a.startswith("--threads=")] + ["--threads=1", f"--secure-port={port}"]
    # With the malloc tunable already set kauthd does not re-execute itself, which would leave
    # valgrind (it does not follow exec) and count nothing.
    env = dict(os.environ, GLIBC_TUNABLES="glibc.malloc.tcache_count=128")
    server = subprocess.Popen(argv, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True,
                              env=env)
    try:
        if not wait_for_port(port, timeout=120):
            return None
        url = f"https://127.0.0.1:{port}/version"
        header = f"authorization: Bearer {token}"
        run(["h2load", "--h1", "-n", str(warmup), "-c", "1", "-H", header, url], timeout=300)
        run(["callgrind_control", "-i", "on", str(server.pid)])
        run(["h2load", "--h1", "-n", str(measured), "-c", "1", "-H", header, url], timeout=600)
        run(["callgrind_control", "-d", str(server.pid)])
        time.sleep(1)
        total = 0
        for f in workdir.glob("callgrind.out*"):
            m = re.search(r"^summary:\s+(\d+)", f.read_text(errors="replace"), re.M)
            if m:
                total = max(total, int(m.group(1)))
        return total / measured if total else None
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(30)


def median(values):
    values = [v for v in values if v == v]  # drop NaN
    return statistics.median(values) if values else float("nan")


def format_report(results, rss, instructions, threads, cores, args):
    cpu = platform.processor() or "unknown"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    lines = [
        f"Machine: {cores} cores ({cpu}); servers with {threads} thread(s)/worker(s) each; "
        f"{args.seconds} s per measurement, median of {args.pairs} interleaved pairs; "
        f"measured {time.strftime('%Y-%m-%d')} with `bench/compare.py`; kauthd built with "
        f"{args.build}, nginx from Debian's package.",
        "",
        "| Workload | nginx req/s | kauthd req/s | ratio | nginx p50/p99 ms | kauthd p50/p99 ms | nginx CPU µs/req | kauthd CPU µs/req |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for name, (title, pairs) in results.items():
        def med(side, key):
            return median([p[side][key] for p in pairs if side in p])
        n_rps, k_rps = med("nginx", "rps"), med("kauthd", "rps")
        ratio = k_rps / n_rps if n_rps == n_rps and n_rps > 0 else float("nan")
        lines.append(
            f"| {name} {title} | {n_rps:,.0f} | {k_rps:,.0f} | **{ratio:.2f}** | "
            f"{med('nginx', 'p50'):.2f} / {med('nginx', 'p99'):.2f} | {med('kauthd', 'p50'):.2f} / {med('kauthd', 'p99'):.2f} | "
            f"{med('nginx', 'cpu_us'):.1f} | {med('kauthd', 'cpu_us'):.1f} |")
    lines.append("")
    if rss:
        lines.append("Resident memory with 1,000 idle TLS connections open: " + ", ".join(
            f"{side} {kib / 1024:.1f} MiB" for side, kib in rss.items()) + ".")
    if instructions:
        lines.append(f"kauthd instructions per W1 request (callgrind, one thread, HTTP/1.1 keep-alive): "
                     f"{instructions:,.0f}.")
    return "\n".join(lines)


if __name__ == "__main__":
    main()
