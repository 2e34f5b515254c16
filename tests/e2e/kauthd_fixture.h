// The real kauthd binary for end-to-end tests: started with the test PKI (server certificate,
// client CA) and a token file, on a free port; plus curl and kubeconfig helpers.
#ifndef KAUTH_TESTS_E2E_KAUTHD_FIXTURE_H_
#define KAUTH_TESTS_E2E_KAUTHD_FIXTURE_H_

#include <algorithm>
#include <fstream>
#include <memory>
#include <regex>
#include <string>
#include <vector>

#include "e2e/child_process.h"
#include "server/server_test_support.h"

namespace kauth::e2e {

using namespace std::chrono_literals;
using server::testing::RunCommand;
using server::testing::TestPki;

inline constexpr char kAliceToken[] = "alice-e2e-token-0123456789";

inline void WriteFile(const std::string& path, const std::string& contents) {
  std::ofstream(path) << contents;
}

// What curl got: the status of the last response, its head (curl -D) and body.
struct CurlResult {
  int status = 0;
  std::string headers;
  std::string body;
};

// curl with the test PKI's server CA against `url`.
inline CurlResult CurlUrl(const TestPki& pki, std::vector<std::string> args,
                          const std::string& url) {
  std::vector<std::string> argv = {"curl", "-sS",         "--cacert", pki.server_ca_file,
                                   "-D",   "/dev/stderr", "-o",       "-"};
  argv.insert(argv.end(), args.begin(), args.end());
  argv.push_back(url);
  const auto run = RunCommand(argv);
  CurlResult result;
  result.headers = run.err;
  result.body = run.out;
  std::smatch match;
  // curl negotiates HTTP/2 through ALPN when kauthd offers it.
  if (std::regex_search(run.err, match, std::regex(R"(HTTP/(?:1\.1|2) (\d{3}))"))) {
    result.status = std::stoi(match[1]);
  }
  return result;
}

// One running kauthd with the test PKI, a token file and the given extra flags.
class Kauthd {
 public:
  explicit Kauthd(const TestPki& pki, std::vector<std::string> extra_flags = {}) : pki_(pki) {
    tokens_ = pki.dir.path().string() + "/tokens.csv";
    WriteFile(tokens_, std::string(kAliceToken) + ",alice,1001,\"dev,ops\"\n");
    std::vector<std::string> argv = {KAUTHD_PATH,
                                     "--bind-address=127.0.0.1",
                                     "--secure-port=0",
                                     "--cert-dir=" + pki.dir.path().string(),
                                     "--tls-cert-file=" + pki.server_cert_file,
                                     "--tls-private-key-file=" + pki.server_key_file,
                                     "--client-ca-file=" + pki.client_ca_file,
                                     "--token-auth-file=" + tokens_};
    argv.insert(argv.end(), extra_flags.begin(), extra_flags.end());
    process_ = std::make_unique<ChildProcess>(argv);
    const auto line = process_->WaitForLine("Serving securely on 127.0.0.1:", 20s);
    if (line) {
      std::smatch match;
      if (std::regex_search(*line, match, std::regex(R"(127\.0\.0\.1:(\d+))"))) {
        port_ = match[1];
      }
    }
  }

  bool ok() const { return !port_.empty(); }
  std::string url(const std::string& path) const { return "https://127.0.0.1:" + port_ + path; }
  ChildProcess& process() { return *process_; }
  const std::string& port() const { return port_; }

  // curl with the server CA.
  using CurlResult = e2e::CurlResult;
  CurlResult Curl(std::vector<std::string> args, const std::string& path) const {
    return CurlUrl(pki_, std::move(args), url(path));
  }

  std::string Kubeconfig(const std::string& name, const std::string& user_fields) const {
    std::string file = name;
    std::replace(file.begin(), file.end(), ' ', '-');
    const std::string path = pki_.dir.path().string() + "/kubeconfig-" + file;
    WriteFile(path,
              "apiVersion: v1\nkind: Config\nclusters:\n- name: e2e\n  cluster:\n"
              "    server: https://127.0.0.1:" +
                  port_ + "\n    certificate-authority: " + pki_.server_ca_file +
                  "\nusers:\n- name: u\n  user:\n" + user_fields +
                  "contexts:\n- name: e2e\n  context: {cluster: e2e, user: u}\n"
                  "current-context: e2e\n");
    return path;
  }

 private:
  const TestPki& pki_;
  std::string tokens_;
  std::unique_ptr<ChildProcess> process_;
  std::string port_;
};

}  // namespace kauth::e2e

#endif  // KAUTH_TESTS_E2E_KAUTHD_FIXTURE_H_
