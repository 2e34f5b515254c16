// ServerOptions: how kauthd's HTTPS server listens, which certificate it serves and the limits it
// enforces. Defaults are kube-apiserver's (its http.Server and Go net/http's own limits); each
// field names the kube-apiserver flag or Go setting it mirrors.
//
// A plain value type: copy it, fill it, hand it to HttpsServer::Create. (The providers it holds
// are shared, thread-safe objects: copies serve the same certificates.)
#ifndef KAUTH_SERVER_SERVER_OPTIONS_H_
#define KAUTH_SERVER_SERVER_OPTIONS_H_

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "kauth/x509.h"

namespace kauth::server {

class ServingCertificateProvider;

// --tls-min-version: VersionTLS12 or VersionTLS13. The maximum is always TLS 1.3.
enum class TlsVersion { kTls12, kTls13 };

// --tls-cert-file / --tls-private-key-file: PEM files. The certificate file holds the serving
// certificate first, then any intermediates; the key file one private key (PKCS#8, PKCS#1 or
// SEC1).
struct ServingCertificate {
  std::string cert_file;
  std::string key_file;
};

// HTTP/2, served to clients that offer "h2" in ALPN. Defaults are kube-apiserver's http2.Server
// (staging/src/k8s.io/apiserver/pkg/server/secure_serving.go) and its CVE-2023-44487 defences.
struct Http2Options {
  // --http2-max-streams-per-connection: SETTINGS_MAX_CONCURRENT_STREAMS, and the number of
  // handlers one connection may run at once. 0 means kube-apiserver's default, 100 (it matches
  // the initial limit Go's clients assume; Go's own server default of 250 is no longer used).
  std::uint32_t max_streams_per_connection = 0;
  // The flow-control window of each stream (Go's MaxUploadBufferPerStream) and the largest frame
  // accepted (MaxReadFrameSize): 256 KiB, "at least 99% of serialized resources". The connection
  // window is this times the stream limit (MaxUploadBufferPerConnection). A request body is
  // buffered up to this per stream; the window reopens only as the handler reads.
  std::uint32_t stream_window_bytes = 256 * 1024;
  // Rapid reset (CVE-2023-44487): client stream resets, and streams the client cancels before
  // their handler answered, drain a token bucket of `reset_burst` tokens refilled at
  // `reset_rate_per_second`; when it is empty the connection gets GOAWAY(ENHANCE_YOUR_CALM) and
  // closes. The numbers are nghttp2's own defaults (1.57 and later).
  std::uint32_t reset_burst = 1000;
  std::uint32_t reset_rate_per_second = 33;

  // The SETTINGS_MAX_CONCURRENT_STREAMS value sent.
  std::uint32_t EffectiveMaxStreams() const {
    return max_streams_per_connection == 0 ? 100 : max_streams_per_connection;
  }
};

struct ServerOptions {
  // --bind-address: an IPv4 or IPv6 literal. "0.0.0.0" and "::" listen on every interface
  // ("::" dual-stack, as Go listens).
  std::string bind_address = "0.0.0.0";
  // --secure-port; 0 picks a free port (HttpsServer::port() tells which).
  std::uint16_t port = 6443;

  // The serving certificate. Without one, kube-apiserver's behaviour: a self-signed pair is
  // generated in `cert_dir` as apiserver.crt / apiserver.key (reused when both files are
  // readable on the next start), or kept in memory when `cert_dir` is empty.
  std::optional<ServingCertificate> certificate;
  // --cert-dir.
  std::string cert_dir;
  // The serving certificates kept current while the server runs (file reloads,
  // --tls-sni-cert-key; server/reloadable_serving_certificates.h). When set, it replaces
  // `certificate` and `cert_dir`: every handshake takes the certificate its SNI selects from the
  // provider's set in force, so new handshakes see a reload and open connections keep theirs.
  std::shared_ptr<const ServingCertificateProvider> serving_certificates;

  // --tls-min-version.
  TlsVersion tls_min_version = TlsVersion::kTls12;

  // The client CAs (--client-ca-file, --requestheader-client-ca-file). When any is
  // given, the server *requests* a client certificate, never requires or verifies it at the
  // handshake, and advertises the union of the bundles' subjects as acceptable CAs, re-read from
  // the providers at every handshake (R5.1). Empty: no certificate is requested.
  std::vector<std::shared_ptr<const CaBundleProvider>> client_cas;

  // Connections served at once (TLS handshakes included). At the limit the server stops
  // accepting (new clients wait in the kernel's listen queue, as behind Go's
  // netutil.LimitListener) until a connection closes.
  std::size_t max_connections = 10000;

  // Go's ReadHeaderTimeout as kube-apiserver sets it: the TLS handshake, and the header of each
  // request, measured from the request's first byte (from the end of the handshake for the first
  // request), must arrive within this. The deadline is never extended, so sending one byte at a
  // time does not keep a connection open. It does not apply to request bodies.
  std::chrono::nanoseconds request_header_timeout = std::chrono::seconds(32);
  // Go's IdleTimeout as kube-apiserver sets it: how long a keep-alive connection may wait for the
  // first byte of its next request.
  std::chrono::nanoseconds idle_timeout = std::chrono::seconds(90);
  // The longest each read of a request body, and each response write, may take. A body that
  // keeps arriving is never cut, however long it streams. (Go's server sets no such deadline;
  // kube-apiserver bounds handlers with its 60 s request timeout instead.)
  std::chrono::nanoseconds io_timeout = std::chrono::seconds(60);
  // kube-apiserver's --shutdown-timeout-like grace: after SIGTERM/SIGINT or Shutdown(), requests
  // in flight may finish for this long before their connections are dropped.
  std::chrono::nanoseconds shutdown_grace_period = std::chrono::seconds(60);

  // Go's http.Server.MaxHeaderBytes as kube-apiserver sets it. A request head (request line and
  // header fields) longer than this plus Go's 4096-byte read slack is answered with 431.
  std::size_t max_header_bytes = std::size_t{1} << 20;
  // Request bodies longer than this are answered with 413 before the handler runs: 3 MiB,
  // kube-apiserver's limit for JSON request bodies (MaxRequestBodyBytes).
  std::size_t max_body_bytes = std::size_t{3} << 20;

  // HTTP/2 (ALPN "h2"). Its header list limit is max_header_bytes, its idle timeout
  // idle_timeout, its write deadline io_timeout.
  Http2Options http2;

  // Threads running the server; 0 means std::thread::hardware_concurrency().
  unsigned threads = 0;
  // Names the listener in its start-up line, "Serving <name> securely on <address>", when kauthd
  // runs more than one; empty gives kube-apiserver's "Serving securely on <address>".
  std::string name;
  // Run() stops gracefully on SIGTERM and SIGINT. Tests that run several servers in one process
  // may turn it off.
  bool handle_signals = true;
  // Called once when the graceful shutdown begins, before requests in flight are drained: lets
  // /readyz start failing while they finish.
  std::function<void()> on_shutdown;
};

}  // namespace kauth::server

#endif  // KAUTH_SERVER_SERVER_OPTIONS_H_
