// kauthd in proxy mode for end-to-end tests: the test upstream (upstream_server.py) as a child
// process, and kauthd started in front of it with its endpoints listener on a free port.
#ifndef KAUTH_TESTS_E2E_PROXY_FIXTURE_H_
#define KAUTH_TESTS_E2E_PROXY_FIXTURE_H_

#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <memory>
#include <optional>
#include <regex>
#include <string>
#include <thread>
#include <vector>

#include "e2e/kauthd_fixture.h"

namespace kauth::e2e {

// The upstream and the clients are stdlib-only Python; the first python3 on PATH may lack
// modules (ssl), so always this one.
inline constexpr char kSystemPython[] = "/usr/bin/python3";

inline bool HaveSystemPython() { return std::filesystem::exists(kSystemPython); }

// A TCP port on 127.0.0.1 that nothing listens on (bound, then released: a connection to it is
// refused unless another process takes it in between, which the tests accept as unlikely).
inline std::string ClosedPort() {
  const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t length = sizeof(address);
  std::string port;
  if (::bind(fd, reinterpret_cast<sockaddr*>(&address), sizeof(address)) == 0 &&
      ::getsockname(fd, reinterpret_cast<sockaddr*>(&address), &length) == 0) {
    port = std::to_string(ntohs(address.sin_port));
  }
  ::close(fd);
  return port;
}

// tests/e2e/upstream_server.py on 127.0.0.1 and a free port, plain HTTP or TLS.
class Upstream {
 public:
  struct Tls {
    std::string cert_file;
    std::string key_file;
    std::string client_ca_file;  // requests (does not require) a client certificate when set
  };

  explicit Upstream(std::optional<Tls> tls = std::nullopt) : tls_(tls.has_value()) {
    std::vector<std::string> argv = {kSystemPython, UPSTREAM_SERVER_PATH, "--port=0"};
    if (tls) {
      argv.push_back("--tls-cert=" + tls->cert_file);
      argv.push_back("--tls-key=" + tls->key_file);
      if (!tls->client_ca_file.empty()) argv.push_back("--client-ca=" + tls->client_ca_file);
    }
    process_ = std::make_unique<ChildProcess>(argv);
    if (const auto line = process_->WaitForLine("listening on ", 20s)) {
      port_ = line->substr(line->find("listening on ") + 13);
    }
  }

  bool ok() const { return !port_.empty(); }
  const std::string& port() const { return port_; }
  std::string url(const std::string& host = "127.0.0.1") const {
    return std::string(tls_ ? "https://" : "http://") + host + ":" + port_;
  }
  ChildProcess& process() { return *process_; }
  void Kill() { process_.reset(); }

  // GET straight from the upstream (plain HTTP only), bypassing kauthd.
  std::string Get(const std::string& path) const {
    return RunCommand({"curl", "-sS", "http://127.0.0.1:" + port_ + path}).out;
  }

 private:
  bool tls_;
  std::unique_ptr<ChildProcess> process_;
  std::string port_;
};

// kauthd (Kauthd's test PKI, token file and client CA) with --upstream=`upstream_url` and
// --proxy-endpoints-port=0, plus `extra_flags`.
class ProxyKauthd {
 public:
  ProxyKauthd(const TestPki& pki, const std::string& upstream_url,
              std::vector<std::string> extra_flags = {})
      : pki_(pki), kauthd_(pki, Flags(upstream_url, std::move(extra_flags))) {
    if (!kauthd_.ok()) return;
    // The two listeners log in either order, and Kauthd's wait may have read past this one.
    const auto deadline = std::chrono::steady_clock::now() + 20s;
    const std::regex line(R"(Serving proxy endpoints securely on 127\.0\.0\.1:(\d+))");
    while (endpoints_port_.empty() && std::chrono::steady_clock::now() < deadline) {
      std::smatch match;
      const std::string& err = kauthd_.process().Stderr();
      if (std::regex_search(err, match, line)) {
        endpoints_port_ = match[1];
      } else {
        std::this_thread::sleep_for(20ms);
      }
    }
  }

  bool ok() const { return kauthd_.ok() && !endpoints_port_.empty(); }
  Kauthd& kauthd() { return kauthd_; }
  const Kauthd& kauthd() const { return kauthd_; }
  const std::string& port() const { return kauthd_.port(); }
  const std::string& endpoints_port() const { return endpoints_port_; }

  // curl through the proxy listener.
  CurlResult Curl(std::vector<std::string> args, const std::string& path) const {
    return kauthd_.Curl(std::move(args), path);
  }
  // curl to kauthd's own endpoints listener.
  CurlResult CurlEndpoints(std::vector<std::string> args, const std::string& path) const {
    return CurlUrl(pki_, std::move(args), "https://127.0.0.1:" + endpoints_port_ + path);
  }

 private:
  static std::vector<std::string> Flags(const std::string& upstream_url,
                                        std::vector<std::string> extra_flags) {
    std::vector<std::string> flags = {"--upstream=" + upstream_url, "--proxy-endpoints-port=0"};
    flags.insert(flags.end(), extra_flags.begin(), extra_flags.end());
    return flags;
  }

  const TestPki& pki_;
  Kauthd kauthd_;
  std::string endpoints_port_;
};

}  // namespace kauth::e2e

#endif  // KAUTH_TESTS_E2E_PROXY_FIXTURE_H_
