#!/usr/bin/python3
"""The upstream the proxy end-to-end tests put kauthd in front of (tests/e2e/proxy_e2e_test.cc).

Standard library only; run it with /usr/bin/python3. HTTP/1.1 with keep-alive, optionally over
TLS. Prints "listening on PORT" on standard error once it accepts connections, then nothing more:
the test reads standard error only when it waits for that line, so anything later could fill the
pipe and stall the server.

Endpoints:
  /echo...                  JSON: method, path, query, every header line in order (repeats kept),
                            body length and SHA-256, and the TLS client certificate's CN.
  /stream?n=5&delay=0.3     chunked; one chunk "chunk <i>\\n" every `delay` seconds.
  /download?bytes=N         N bytes of PATTERN, streamed with a Content-Length.
  /download-sha256?bytes=N  the hex SHA-256 of what /download?bytes=N sends.
  /upload (PUT, POST)       reads the body as it arrives; JSON with its length and SHA-256.
  /ws                       RFC 6455 handshake, then echoes text and binary frames; answers ping
                            with pong and close with close.
  /api, /apis, /api/v1, /api/v1/namespaces/default/configmaps
                            an API server with one resource for kubectl. 403 Status unless the
                            request carries Impersonate-User; the configmap's data holds the
                            impersonation headers it received.
  /_last                    JSON: the header lines of the last request to /api or /apis.
"""

import argparse
import base64
import hashlib
import json
import ssl
import sys
import threading
import time
import urllib.parse
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

WEBSOCKET_GUID = b"258EAFA5-E914-47DA-95CA-C5AB0DC85B11"
# 64 KiB of bytes 0..255 repeated: cheap to send, and a dropped or repeated block changes the hash.
PATTERN = bytes(range(256)) * 256

_last_lock = threading.Lock()
_last_api_headers = []


def pattern_bytes(total):
    """Yields /download's body in PATTERN-sized pieces."""
    left = total
    while left > 0:
        piece = PATTERN if left >= len(PATTERN) else PATTERN[:left]
        left -= len(piece)
        yield piece


def status_body(code, reason, message):
    return {
        "kind": "Status",
        "apiVersion": "v1",
        "metadata": {},
        "status": "Failure",
        "message": message,
        "reason": reason,
        "code": code,
    }


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "kauth-e2e-upstream"

    def log_message(self, format, *args):  # noqa: A002 (BaseHTTPRequestHandler's signature)
        pass

    def setup(self):
        # The TLS handshake runs here, on the connection's thread, not in accept() on the
        # listener's: a slow or failed handshake (kauthd's readiness probe) must not stall others.
        if isinstance(self.request, ssl.SSLSocket):
            self.request.do_handshake()
        super().setup()

    # --- request bodies ---

    def body_chunks(self):
        """Yields the request body as it arrives: Content-Length or chunked framing."""
        if "chunked" in self.headers.get("Transfer-Encoding", "").lower():
            while True:
                size_line = self.rfile.readline(65537)
                size = int(size_line.split(b";", 1)[0].strip(), 16)
                if size == 0:
                    # Trailer fields up to the empty line.
                    while self.rfile.readline(65537) not in (b"\r\n", b"\n", b""):
                        pass
                    return
                left = size
                while left > 0:
                    data = self.rfile.read(min(left, 1 << 20))
                    if not data:
                        raise ConnectionError("body ended early")
                    left -= len(data)
                    yield data
                self.rfile.readline(3)
        else:
            left = int(self.headers.get("Content-Length", "0") or "0")
            while left > 0:
                data = self.rfile.read(min(left, 1 << 20))
                if not data:
                    raise ConnectionError("body ended early")
                left -= len(data)
                yield data

    def digest_body(self):
        digest = hashlib.sha256()
        length = 0
        for data in self.body_chunks():
            digest.update(data)
            length += len(data)
        return length, digest.hexdigest()

    # --- responses ---

    def send_json(self, code, value, extra_headers=()):
        body = (json.dumps(value, separators=(",", ":")) + "\n").encode()
        self.send_response(code)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        for name, val in extra_headers:
            self.send_header(name, val)
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)

    def header_lines(self):
        return [[name, value] for name, value in self.headers.items()]

    def peer_cn(self):
        if not isinstance(self.request, ssl.SSLSocket):
            return ""
        cert = self.request.getpeercert()
        for rdn in (cert or {}).get("subject", ()):
            for key, value in rdn:
                if key == "commonName":
                    return value
        return ""

    def dispatch(self):
        url = urllib.parse.urlsplit(self.path)
        query = urllib.parse.parse_qs(url.query)
        path = url.path
        if path.startswith("/echo"):
            length, sha = self.digest_body()
            self.send_json(200, {
                "method": self.command,
                "path": path,
                "query": url.query,
                "headers": self.header_lines(),
                "body_length": length,
                "body_sha256": sha,
                "peer_cn": self.peer_cn(),
            })
        elif path == "/stream":
            self.digest_body()
            self.stream(int(query.get("n", ["5"])[0]), float(query.get("delay", ["0.3"])[0]))
        elif path == "/download":
            self.digest_body()
            total = int(query.get("bytes", ["0"])[0])
            self.send_response(200)
            self.send_header("Content-Type", "application/octet-stream")
            self.send_header("Content-Length", str(total))
            self.end_headers()
            for piece in pattern_bytes(total):
                self.wfile.write(piece)
        elif path == "/download-sha256":
            digest = hashlib.sha256()
            for piece in pattern_bytes(int(query.get("bytes", ["0"])[0])):
                digest.update(piece)
            self.send_json(200, {"sha256": digest.hexdigest()})
        elif path == "/upload":
            length, sha = self.digest_body()
            self.send_json(200, {"body_length": length, "body_sha256": sha})
        elif path == "/ws":
            self.websocket()
        elif path == "/_last":
            with _last_lock:
                self.send_json(200, {"headers": list(_last_api_headers)})
        elif path == "/api" or path.startswith("/api/") or path == "/apis" or \
                path.startswith("/apis/"):
            self.digest_body()
            self.api(path)
        else:
            self.digest_body()
            self.send_json(404, status_body(404, "NotFound", "the server could not find the "
                                            "requested resource"))

    do_GET = do_POST = do_PUT = do_DELETE = do_PATCH = do_HEAD = do_OPTIONS = dispatch

    def stream(self, n, delay):
        self.send_response(200)
        self.send_header("Content-Type", "text/plain")
        self.send_header("Transfer-Encoding", "chunked")
        self.end_headers()
        self.wfile.flush()
        for i in range(n):
            if i:
                time.sleep(delay)
            data = ("chunk %d\n" % i).encode()
            self.wfile.write(b"%x\r\n%s\r\n" % (len(data), data))
            self.wfile.flush()
        self.wfile.write(b"0\r\n\r\n")
        self.wfile.flush()

    # --- websocket ---

    def websocket(self):
        key = self.headers.get("Sec-WebSocket-Key", "")
        if self.headers.get("Upgrade", "").lower() != "websocket" or not key:
            self.send_json(400, status_body(400, "BadRequest", "not a websocket handshake"))
            return
        accept = base64.b64encode(hashlib.sha1(key.encode() + WEBSOCKET_GUID).digest()).decode()
        self.send_response(101, "Switching Protocols")
        self.send_header("Upgrade", "websocket")
        self.send_header("Connection", "Upgrade")
        self.send_header("Sec-WebSocket-Accept", accept)
        protocols = self.headers.get("Sec-WebSocket-Protocol", "")
        if protocols:
            self.send_header("Sec-WebSocket-Protocol", protocols.split(",")[0].strip())
        self.end_headers()
        self.wfile.flush()
        self.close_connection = True
        while True:
            frame = self.read_frame()
            if frame is None:
                return
            opcode, payload = frame
            if opcode in (0x1, 0x2):
                self.write_frame(opcode, payload)
            elif opcode == 0x9:
                self.write_frame(0xA, payload)
            elif opcode == 0x8:
                self.write_frame(0x8, payload)
                return

    def read_exact(self, n):
        data = b""
        while len(data) < n:
            piece = self.rfile.read(n - len(data))
            if not piece:
                return None
            data += piece
        return data

    def read_frame(self):
        head = self.read_exact(2)
        if head is None:
            return None
        opcode = head[0] & 0x0F
        masked = head[1] & 0x80
        length = head[1] & 0x7F
        if length == 126:
            length = int.from_bytes(self.read_exact(2) or b"\0\0", "big")
        elif length == 127:
            length = int.from_bytes(self.read_exact(8) or b"\0" * 8, "big")
        mask = self.read_exact(4) if masked else b"\0\0\0\0"
        payload = self.read_exact(length) if length else b""
        if mask is None or payload is None:
            return None
        return opcode, bytes(b ^ mask[i % 4] for i, b in enumerate(payload))

    def write_frame(self, opcode, payload):
        head = bytes([0x80 | opcode])
        if len(payload) < 126:
            head += bytes([len(payload)])
        elif len(payload) < 1 << 16:
            head += bytes([126]) + len(payload).to_bytes(2, "big")
        else:
            head += bytes([127]) + len(payload).to_bytes(8, "big")
        self.wfile.write(head + payload)
        self.wfile.flush()

    # --- the API server surface ---

    def api(self, path):
        with _last_lock:
            _last_api_headers[:] = self.header_lines()
        user = self.headers.get("Impersonate-User")
        if user is None:
            self.send_json(403, status_body(
                403, "Forbidden", "forbidden: this upstream answers only impersonated requests"))
            return
        if path == "/api":
            self.send_json(200, {"kind": "APIVersions", "versions": ["v1"],
                                 "serverAddressByClientCIDRs": [
                                     {"clientCIDR": "0.0.0.0/0", "serverAddress": "127.0.0.1"}]})
        elif path == "/apis":
            self.send_json(200, {"kind": "APIGroupList", "apiVersion": "v1", "groups": []})
        elif path == "/api/v1":
            self.send_json(200, {
                "kind": "APIResourceList", "apiVersion": "v1", "groupVersion": "v1",
                "resources": [{"name": "configmaps", "singularName": "configmap",
                               "namespaced": True, "kind": "ConfigMap", "shortNames": ["cm"],
                               "verbs": ["get", "list"]}]})
        elif path == "/api/v1/namespaces/default/configmaps":
            data = {
                "impersonate-user": user,
                "impersonate-groups": ",".join(self.headers.get_all("Impersonate-Group") or []),
                "impersonate-uid": self.headers.get("Impersonate-Uid", ""),
            }
            self.send_json(200, {
                "kind": "ConfigMapList", "apiVersion": "v1",
                "metadata": {"resourceVersion": "1"},
                "items": [{"metadata": {"name": "seen-by-upstream", "namespace": "default",
                                        "resourceVersion": "1", "uid": "e2e-0001",
                                        "creationTimestamp": "2024-01-01T00:00:00Z"},
                           "data": data}]})
        else:
            self.send_json(404, status_body(404, "NotFound", "the server could not find the "
                                            "requested resource"))


class Server(ThreadingHTTPServer):
    daemon_threads = True

    def handle_error(self, request, client_address):
        # Clients that hang up midway (curl killed, kauthd's probe closing after the handshake)
        # are expected; a traceback on standard error could fill the unread pipe.
        pass


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--port", type=int, default=0)
    parser.add_argument("--tls-cert", help="serve TLS with this PEM certificate")
    parser.add_argument("--tls-key")
    parser.add_argument("--client-ca", help="request client certificates verified by this CA")
    args = parser.parse_args()

    server = Server(("127.0.0.1", args.port), Handler)
    if args.tls_cert:
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        context.load_cert_chain(args.tls_cert, args.tls_key)
        if args.client_ca:
            context.load_verify_locations(args.client_ca)
            context.verify_mode = ssl.CERT_OPTIONAL
        server.socket = context.wrap_socket(server.socket, server_side=True,
                                            do_handshake_on_connect=False)
    print("listening on %d" % server.server_address[1], file=sys.stderr, flush=True)
    server.serve_forever()


if __name__ == "__main__":
    main()
