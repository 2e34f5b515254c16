#!/usr/bin/python3
"""Clients for the proxy end-to-end tests that curl cannot play: each prints one JSON object.

  proxy_client.py stream --ca CA --token T URL
      GET URL over TLS and report when each piece of the body arrived:
      {"status": 200, "pieces": [{"t": seconds since the request, "data": "..."}...]}
  proxy_client.py websocket --ca CA --token T URL
      RFC 6455 handshake over TLS, then a masked text frame, a masked 69,892-byte binary frame
      (64-bit length) and a close, each read back:
      {"status": 101, "accept_ok": true, "protocol": "...", "text": "...", "binary_ok": true,
       "close_code": 1000}

Standard library only; run it with /usr/bin/python3.
"""

import argparse
import base64
import hashlib
import http.client
import json
import os
import socket
import ssl
import sys
import time
import urllib.parse

WEBSOCKET_GUID = b"258EAFA5-E914-47DA-95CA-C5AB0DC85B11"


def tls_context(ca):
    return ssl.create_default_context(cafile=ca)


def stream(args):
    url = urllib.parse.urlsplit(args.url)
    connection = http.client.HTTPSConnection(url.hostname, url.port, context=tls_context(args.ca),
                                             timeout=30)
    start = time.monotonic()
    connection.request("GET", url.path + ("?" + url.query if url.query else ""),
                       headers={"Authorization": "Bearer " + args.token})
    response = connection.getresponse()
    pieces = []
    while True:
        # read1 returns what one read of the socket gave (at most one chunk of a chunked body),
        # so each piece's time is when it reached the client.
        data = response.read1(65536)
        if not data:
            break
        pieces.append({"t": time.monotonic() - start, "data": data.decode()})
    print(json.dumps({"status": response.status, "pieces": pieces}))


def read_exact(sock, n):
    data = b""
    while len(data) < n:
        piece = sock.recv(n - len(data))
        if not piece:
            raise ConnectionError("connection closed after %d of %d bytes" % (len(data), n))
        data += piece
    return data


def send_frame(sock, opcode, payload):
    mask = os.urandom(4)
    head = bytes([0x80 | opcode])
    if len(payload) < 126:
        head += bytes([0x80 | len(payload)])
    elif len(payload) < 1 << 16:
        head += bytes([0x80 | 126]) + len(payload).to_bytes(2, "big")
    else:
        head += bytes([0x80 | 127]) + len(payload).to_bytes(8, "big")
    masked = bytes(b ^ mask[i % 4] for i, b in enumerate(payload))
    sock.sendall(head + mask + masked)


def read_frame(sock):
    head = read_exact(sock, 2)
    length = head[1] & 0x7F
    if length == 126:
        length = int.from_bytes(read_exact(sock, 2), "big")
    elif length == 127:
        length = int.from_bytes(read_exact(sock, 8), "big")
    if head[1] & 0x80:
        raise ValueError("the server masked its frame")
    return head[0] & 0x0F, read_exact(sock, length)


def websocket(args):
    url = urllib.parse.urlsplit(args.url)
    raw = socket.create_connection((url.hostname, url.port), timeout=30)
    sock = tls_context(args.ca).wrap_socket(raw, server_hostname=url.hostname)
    key = base64.b64encode(os.urandom(16)).decode()
    sock.sendall((
        "GET %s HTTP/1.1\r\nHost: %s:%d\r\nAuthorization: Bearer %s\r\nUpgrade: websocket\r\n"
        "Connection: Upgrade\r\nSec-WebSocket-Key: %s\r\nSec-WebSocket-Version: 13\r\n"
        "Sec-WebSocket-Protocol: v5.channel.k8s.io, v4.channel.k8s.io\r\n\r\n"
        % (url.path, url.hostname, url.port, args.token, key)).encode())
    head = b""
    while b"\r\n\r\n" not in head:
        head += read_exact(sock, 1)
    lines = head.decode().split("\r\n")
    status = int(lines[0].split(" ")[1])
    headers = {}
    for line in lines[1:]:
        if ":" in line:
            name, value = line.split(":", 1)
            headers[name.strip().lower()] = value.strip()
    result = {"status": status}
    if status != 101:
        print(json.dumps(result))
        return
    expected = base64.b64encode(hashlib.sha1(key.encode() + WEBSOCKET_GUID).digest()).decode()
    result["accept_ok"] = headers.get("sec-websocket-accept") == expected
    result["protocol"] = headers.get("sec-websocket-protocol", "")

    send_frame(sock, 0x1, "hello through kauthd".encode())
    opcode, payload = read_frame(sock)
    result["text"] = payload.decode() if opcode == 0x1 else "opcode %d" % opcode

    binary = bytes(range(256)) * 273 + b"tail"  # 69,892 bytes: a 64-bit length
    send_frame(sock, 0x2, binary)
    opcode, payload = read_frame(sock)
    result["binary_ok"] = opcode == 0x2 and payload == binary

    send_frame(sock, 0x8, (1000).to_bytes(2, "big"))
    opcode, payload = read_frame(sock)
    result["close_code"] = int.from_bytes(payload[:2], "big") if opcode == 0x8 else -1
    print(json.dumps(result))


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("mode", choices=["stream", "websocket"])
    parser.add_argument("--ca", required=True)
    parser.add_argument("--token", required=True)
    parser.add_argument("url")
    args = parser.parse_args()
    {"stream": stream, "websocket": websocket}[args.mode](args)


if __name__ == "__main__":
    sys.exit(main())
