// End-to-end tests of kauthd's reverse-proxy mode (issue 4): the real kauthd in front of a real
// upstream (upstream_server.py), driven by curl, kubectl and small Python clients. Each test
// checks what the client got and what the upstream received.
#include <gtest/gtest.h>
#include <signal.h>

#include <regex>
#include <string>
#include <utility>
#include <vector>

#include "core/strings.h"
#include "e2e/proxy_fixture.h"

namespace kauth::e2e {
namespace {

using namespace std::chrono_literals;
using server::testing::HaveTool;
using server::testing::RunCommand;
using HeaderLines = std::vector<std::pair<std::string, std::string>>;

const char kUpstreamToken[] = "kauthd-own-upstream-token-42";

// Every ["name","value"] pair of an upstream JSON answer: the header lines it received, in order.
HeaderLines HeadersIn(const std::string& json) {
  HeaderLines lines;
  const std::regex pair(R"re(\["((?:[^"\\]|\\.)*)","((?:[^"\\]|\\.)*)"\])re");
  for (std::sregex_iterator it(json.begin(), json.end(), pair), end; it != end; ++it) {
    lines.emplace_back((*it)[1], (*it)[2]);
  }
  return lines;
}

// The values of the lines named `name` (any case), in order.
std::vector<std::string> Values(const HeaderLines& lines, const std::string& name) {
  std::vector<std::string> values;
  for (const auto& [key, value] : lines) {
    if (EqualsIgnoreCase(key, name)) values.push_back(value);
  }
  return values;
}

// The names of lines that start with `prefix` (any case).
std::vector<std::string> NamesWithPrefix(const HeaderLines& lines, const std::string& prefix) {
  std::vector<std::string> names;
  for (const auto& [key, value] : lines) {
    if (StartsWithIgnoreCase(key, prefix)) names.push_back(key);
  }
  return names;
}

// A string or number field of a flat JSON object ("" when absent).
std::string JsonField(const std::string& json, const std::string& name) {
  std::smatch match;
  if (std::regex_search(
          json, match, std::regex("\"" + name + R"re(":\s*(?:"((?:[^"\\]|\\.)*)"|([-\w.]+)))re"))) {
    return match[1].matched ? match[1].str() : match[2].str();
  }
  return "";
}

std::vector<std::string> Bearer(const std::string& token) {
  return {"-H", "Authorization: Bearer " + token};
}

using Strings = std::vector<std::string>;

class ProxyE2eTest : public ::testing::Test {
 protected:
  void SetUp() override {
    if (!HaveTool("curl")) GTEST_SKIP() << "curl is not installed";
    if (!HaveSystemPython()) GTEST_SKIP() << kSystemPython << " (the test upstream) is missing";
  }

  std::string WriteUpstreamToken() {
    const std::string path = pki_.dir.path().string() + "/upstream-token";
    WriteFile(path, std::string(kUpstreamToken) + "\n");
    return path;
  }

  TestPki pki_;
};

// Issue 4 item 3, front-proxy: the upstream sees who called, as R9's headers, and never the
// caller's own credential.
TEST_F(ProxyE2eTest, FrontProxyForwardsTheIdentityOfTokenAndCertificateCallers) {
  Upstream upstream;
  ASSERT_TRUE(upstream.ok()) << upstream.process().Stderr();
  ProxyKauthd kauthd(pki_, upstream.url());
  ASSERT_TRUE(kauthd.ok()) << kauthd.kauthd().process().Stderr();

  const auto token = kauthd.Curl(Bearer(kAliceToken), "/echo/token?x=1");
  ASSERT_EQ(token.status, 200) << token.headers << token.body;
  EXPECT_EQ(JsonField(token.body, "path"), "/echo/token");
  EXPECT_EQ(JsonField(token.body, "query"), "x=1");
  const HeaderLines seen = HeadersIn(token.body);
  EXPECT_EQ(Values(seen, "X-Remote-User"), Strings{"alice"});
  EXPECT_EQ(Values(seen, "X-Remote-Group"), (Strings{"dev", "ops", "system:authenticated"}));
  EXPECT_EQ(Values(seen, "X-Remote-Uid"), Strings{"1001"});
  EXPECT_EQ(NamesWithPrefix(seen, "X-Remote-Extra-"), Strings{});
  EXPECT_EQ(Values(seen, "Authorization"), Strings{}) << token.body;
  EXPECT_EQ(Values(seen, "X-Forwarded-Proto"), Strings{"https"});
  EXPECT_EQ(Values(seen, "X-Forwarded-For"), Strings{"127.0.0.1"});
  EXPECT_EQ(Values(seen, "X-Forwarded-Host"), Strings{"127.0.0.1:" + kauthd.port()});

  const auto cert =
      kauthd.Curl({"--cert", pki_.jane_cert_file, "--key", pki_.jane_key_file}, "/echo/cert");
  ASSERT_EQ(cert.status, 200) << cert.headers << cert.body;
  const HeaderLines jane = HeadersIn(cert.body);
  EXPECT_EQ(Values(jane, "X-Remote-User"), Strings{"jane"});
  EXPECT_EQ(Values(jane, "X-Remote-Group"), (Strings{"dev", "ops", "system:authenticated"}));
  // A certificate carries no UID: no line rather than an empty one.
  EXPECT_EQ(Values(jane, "X-Remote-Uid"), Strings{});
}

// Issue 4 items 3 and 4: kauthd behind another authenticating proxy (R9 inbound) forwards the
// identity that proxy named, extras and UID included, under its own outbound names.
TEST_F(ProxyE2eTest, ForwardsExtrasAndUidFromAnInboundFrontProxy) {
  Upstream upstream;
  ASSERT_TRUE(upstream.ok()) << upstream.process().Stderr();
  ProxyKauthd kauthd(
      pki_, upstream.url(),
      {"--requestheader-client-ca-file=" + pki_.client_ca_file,
       "--requestheader-allowed-names=jane", "--requestheader-username-headers=X-Remote-User",
       "--requestheader-uid-headers=X-Remote-Uid", "--requestheader-group-headers=X-Remote-Group",
       "--requestheader-extra-headers-prefix=X-Remote-Extra-",
       "--upstream-username-header=X-Auth-User", "--upstream-group-header=X-Auth-Group",
       "--upstream-uid-header=X-Auth-Uid", "--upstream-extra-header-prefix=X-Auth-Extra-"});
  ASSERT_TRUE(kauthd.ok()) << kauthd.kauthd().process().Stderr();

  const auto got =
      kauthd.Curl({"--cert", pki_.jane_cert_file, "--key", pki_.jane_key_file, "-H",
                   "X-Remote-User: bob", "-H", "X-Remote-Uid: u-7", "-H", "X-Remote-Group: viewers",
                   "-H", "X-Remote-Extra-Acme.com%2fProject: Blue Sky", "-H",
                   "X-Remote-Extra-Scopes: read", "-H", "X-Remote-Extra-Scopes: write"},
                  "/echo/inbound");
  ASSERT_EQ(got.status, 200) << got.headers << got.body;
  const HeaderLines seen = HeadersIn(got.body);
  EXPECT_EQ(Values(seen, "X-Auth-User"), Strings{"bob"});
  EXPECT_EQ(Values(seen, "X-Auth-Group"), (Strings{"viewers", "system:authenticated"}));
  EXPECT_EQ(Values(seen, "X-Auth-Uid"), Strings{"u-7"});
  // R9.3 lower-cases the key; kauthd escapes '/' (and would escape upper case, P1).
  EXPECT_EQ(Values(seen, "X-Auth-Extra-acme.com%2Fproject"), Strings{"Blue Sky"});
  EXPECT_EQ(Values(seen, "X-Auth-Extra-scopes"), (Strings{"read", "write"}));
  // The inbound proxy's own headers do not travel on.
  EXPECT_EQ(NamesWithPrefix(seen, "X-Remote-"), Strings{}) << got.body;
}

// Issue 4 item 2: anonymous callers are not forwarded by default, bad credentials never are.
TEST_F(ProxyE2eTest, AnonymousAndBadCredentialsAreNotForwarded) {
  Upstream upstream;
  ASSERT_TRUE(upstream.ok()) << upstream.process().Stderr();
  ProxyKauthd kauthd(pki_, upstream.url());
  ASSERT_TRUE(kauthd.ok()) << kauthd.kauthd().process().Stderr();

  const auto anonymous = kauthd.Curl({"-A", "e2e/1.0"}, "/echo/anonymous");
  EXPECT_EQ(anonymous.status, 403) << anonymous.headers;
  EXPECT_EQ(anonymous.body,
            R"({"kind":"Status","apiVersion":"v1","metadata":{},"status":"Failure","message":)"
            R"("forbidden: User \"system:anonymous\" cannot get path \"/echo/anonymous\"",)"
            R"("reason":"Forbidden","details":{},"code":403})"
            "\n");
  EXPECT_NE(AsciiLower(anonymous.headers).find("x-content-type-options: nosniff"),
            std::string::npos)
      << anonymous.headers;

  const auto resource = kauthd.Curl({"-A", "e2e/1.0"}, "/api/v1/namespaces/default/configmaps");
  EXPECT_EQ(resource.status, 403);
  EXPECT_EQ(JsonField(resource.body, "message"),
            R"(configmaps is forbidden: User \"system:anonymous\" cannot list resource )"
            R"(\"configmaps\" in API group \"\" in the namespace \"default\")");

  const auto bad = kauthd.Curl(Bearer("not-a-known-token"), "/api/v1");
  EXPECT_EQ(bad.status, 401);
  EXPECT_EQ(JsonField(bad.body, "reason"), "Unauthorized");

  // None of them reached the upstream's API paths.
  EXPECT_EQ(HeadersIn(upstream.Get("/_last")), HeaderLines{});
}

// An operator may let anonymous callers through on purpose.
TEST_F(ProxyE2eTest, AnonymousIsForwardedWhenItsGroupIsAllowed) {
  Upstream upstream;
  ASSERT_TRUE(upstream.ok()) << upstream.process().Stderr();
  ProxyKauthd kauthd(pki_, upstream.url(), {"--upstream-allowed-groups=system:unauthenticated"});
  ASSERT_TRUE(kauthd.ok()) << kauthd.kauthd().process().Stderr();
  const auto got = kauthd.Curl({}, "/echo/anonymous");
  ASSERT_EQ(got.status, 200) << got.headers << got.body;
  const HeaderLines seen = HeadersIn(got.body);
  EXPECT_EQ(Values(seen, "X-Remote-User"), Strings{"system:anonymous"});
  EXPECT_EQ(Values(seen, "X-Remote-Group"), Strings{"system:unauthenticated"});
  // The allow-list replaced the default: alice (system:authenticated) is now refused.
  EXPECT_EQ(kauthd.Curl(Bearer(kAliceToken), "/echo/alice").status, 403);
}

// Issue 4 item 3: client-sent identity headers, in any case and repeated, never reach the
// upstream; only kauthd's lines do.
TEST_F(ProxyE2eTest, SpoofedIdentityHeadersAreStripped) {
  Upstream upstream;
  ASSERT_TRUE(upstream.ok()) << upstream.process().Stderr();
  ProxyKauthd kauthd(pki_, upstream.url());
  ASSERT_TRUE(kauthd.ok()) << kauthd.kauthd().process().Stderr();

  Strings args = Bearer(kAliceToken);
  for (const char* spoof :
       {"x-remote-user: root", "X-REMOTE-USER: root", "X-Remote-Group: system:masters",
        "x-remote-group: system:masters", "X-Remote-Uid: 0", "X-Remote-Extra-Scopes: admin",
        "x-rEmOtE-eXtRa-acme: admin", "X-Forwarded-Proto: http", "X-Forwarded-Host: evil",
        "Proxy-Authorization: Basic cm9vdDpyb290"}) {
    args.insert(args.end(), {"-H", spoof});
  }
  const auto got = kauthd.Curl(args, "/echo/spoof");
  ASSERT_EQ(got.status, 200) << got.headers << got.body;
  const HeaderLines seen = HeadersIn(got.body);
  EXPECT_EQ(Values(seen, "X-Remote-User"), Strings{"alice"});
  EXPECT_EQ(Values(seen, "X-Remote-Group"), (Strings{"dev", "ops", "system:authenticated"}));
  EXPECT_EQ(Values(seen, "X-Remote-Uid"), Strings{"1001"});
  EXPECT_EQ(NamesWithPrefix(seen, "X-Remote-Extra-"), Strings{});
  EXPECT_EQ(Values(seen, "X-Forwarded-Proto"), Strings{"https"});
  EXPECT_EQ(Values(seen, "X-Forwarded-Host"), Strings{"127.0.0.1:" + kauthd.port()});
  EXPECT_EQ(Values(seen, "Authorization"), Strings{});
  EXPECT_EQ(Values(seen, "Proxy-Authorization"), Strings{});
  for (const auto& [name, value] : seen) {
    EXPECT_TRUE(value != "root" && value != "system:masters" && value != "admin")
        << name << ": " << value;
  }
}

// Issue 4 item 3: a client Impersonate-* header is refused loudly, never dropped.
TEST_F(ProxyE2eTest, ImpersonationHeadersAreRefused) {
  Upstream upstream;
  ASSERT_TRUE(upstream.ok()) << upstream.process().Stderr();
  ProxyKauthd kauthd(pki_, upstream.url());
  ASSERT_TRUE(kauthd.ok()) << kauthd.kauthd().process().Stderr();

  for (const char* header : {"Impersonate-User: bob", "impersonate-group: system:masters",
                             "IMPERSONATE-UID: 1", "Impersonate-Extra-Scopes: all"}) {
    Strings args = Bearer(kAliceToken);
    args.insert(args.end(), {"-A", "e2e/1.0", "-H", header});
    const auto got = kauthd.Curl(args, "/api/v1/namespaces/default/configmaps");
    EXPECT_EQ(got.status, 403) << header;
    EXPECT_EQ(got.body, R"({"kind":"Status","apiVersion":"v1","metadata":{},"status":"Failure",)"
                        R"("message":"forbidden: impersonation through kauthd is not supported",)"
                        R"("reason":"Forbidden","details":{},"code":403})"
                        "\n")
        << header;
  }
  EXPECT_EQ(HeadersIn(upstream.Get("/_last")), HeaderLines{});
}

// Issue 4 item 5: a chunked response is passed on as each chunk arrives, not when it ends.
TEST_F(ProxyE2eTest, StreamedResponseArrivesChunkByChunk) {
  Upstream upstream;
  ASSERT_TRUE(upstream.ok()) << upstream.process().Stderr();
  ProxyKauthd kauthd(pki_, upstream.url());
  ASSERT_TRUE(kauthd.ok()) << kauthd.kauthd().process().Stderr();

  const auto run =
      RunCommand({kSystemPython, PROXY_CLIENT_PATH, "stream", "--ca", pki_.server_ca_file,
                  "--token", kAliceToken, kauthd.kauthd().url("/stream?n=5&delay=0.4")});
  ASSERT_EQ(run.exit_code, 0) << run.err;
  EXPECT_EQ(JsonField(run.out, "status"), "200") << run.out;
  // Arrival time of each chunk's text.
  std::vector<double> arrived(5, -1);
  const std::regex piece(R"re(\{"t":\s*([0-9.e-]+),\s*"data":\s*"((?:[^"\\]|\\.)*)"\})re");
  std::string text;
  for (std::sregex_iterator it(run.out.begin(), run.out.end(), piece), end; it != end; ++it) {
    const std::string data = std::regex_replace((*it)[2].str(), std::regex(R"(\\n)"), "\n");
    text += data;
    for (std::size_t i = 0; i < arrived.size(); ++i) {
      if (arrived[i] < 0 && text.find("chunk " + std::to_string(i) + "\n") != std::string::npos) {
        arrived[i] = std::stod((*it)[1]);
      }
    }
  }
  EXPECT_EQ(text, "chunk 0\nchunk 1\nchunk 2\nchunk 3\nchunk 4\n") << run.out;
  // The upstream waits 0.4 s between chunks; each must reach the client about that much after
  // the one before (a buffering proxy delivers them all at once, after 1.6 s).
  for (std::size_t i = 1; i < arrived.size(); ++i) {
    EXPECT_GT(arrived[i] - arrived[i - 1], 0.25) << "chunk " << i << "\n" << run.out;
  }
  EXPECT_LT(arrived[0], 1.0) << run.out;
}

// Issue 4 item 5: a websocket upgrade is tunnelled after authentication; frames echo both ways.
TEST_F(ProxyE2eTest, WebsocketEchoThroughTheProxy) {
  Upstream upstream;
  ASSERT_TRUE(upstream.ok()) << upstream.process().Stderr();
  ProxyKauthd kauthd(pki_, upstream.url());
  ASSERT_TRUE(kauthd.ok()) << kauthd.kauthd().process().Stderr();

  const auto run =
      RunCommand({kSystemPython, PROXY_CLIENT_PATH, "websocket", "--ca", pki_.server_ca_file,
                  "--token", kAliceToken, kauthd.kauthd().url("/ws")});
  ASSERT_EQ(run.exit_code, 0) << run.err;
  EXPECT_EQ(JsonField(run.out, "status"), "101") << run.out;
  EXPECT_EQ(JsonField(run.out, "accept_ok"), "true") << run.out;
  EXPECT_EQ(JsonField(run.out, "protocol"), "v5.channel.k8s.io") << run.out;
  EXPECT_EQ(JsonField(run.out, "text"), "hello through kauthd") << run.out;
  EXPECT_EQ(JsonField(run.out, "binary_ok"), "true") << run.out;
  EXPECT_EQ(JsonField(run.out, "close_code"), "1000") << run.out;

  // An unauthenticated upgrade is refused before anything is tunnelled.
  const auto anonymous = kauthd.Curl(
      {"--http1.1", "-H", "Upgrade: websocket", "-H", "Connection: Upgrade", "-H",
       "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==", "-H", "Sec-WebSocket-Version: 13"},
      "/ws");
  EXPECT_EQ(anonymous.status, 403) << anonymous.headers;
}

// Issue 4 item 5: request bodies stream to the upstream, past the 3 MiB limit of kauthd's own
// APIs, with a Content-Length or chunked.
TEST_F(ProxyE2eTest, RequestBodiesStreamToTheUpstream) {
  Upstream upstream;
  ASSERT_TRUE(upstream.ok()) << upstream.process().Stderr();
  ProxyKauthd kauthd(pki_, upstream.url());
  ASSERT_TRUE(kauthd.ok()) << kauthd.kauthd().process().Stderr();

  const std::string file = pki_.dir.path().string() + "/eight-mib";
  WriteFile(file, std::string(8 << 20, 'k'));
  const std::string sha = RunCommand({"sha256sum", file}).out.substr(0, 64);
  ASSERT_EQ(sha.size(), 64u);

  Strings with_length = Bearer(kAliceToken);
  with_length.insert(with_length.end(), {"-T", file});
  const auto sized = kauthd.Curl(with_length, "/upload");
  ASSERT_EQ(sized.status, 200) << sized.headers << sized.body;
  EXPECT_EQ(JsonField(sized.body, "body_length"), std::to_string(8 << 20));
  EXPECT_EQ(JsonField(sized.body, "body_sha256"), sha);

  // From a pipe: curl sends it chunked, and so must kauthd.
  const auto chunked =
      RunCommand({"sh", "-c",
                  "cat '" + file + "' | curl -sS --cacert '" + pki_.server_ca_file +
                      "' -H 'Authorization: Bearer " + kAliceToken + "' -T - '" +
                      kauthd.kauthd().url("/upload") + "'"});
  ASSERT_EQ(chunked.exit_code, 0) << chunked.err;
  EXPECT_EQ(JsonField(chunked.out, "body_length"), std::to_string(8 << 20)) << chunked.out;
  EXPECT_EQ(JsonField(chunked.out, "body_sha256"), sha);
}

// Issue 4 item 6: an upstream that refuses connections gives a 502 Status, never a hang.
TEST_F(ProxyE2eTest, UpstreamDownGivesBadGatewayStatus) {
  const std::string port = ClosedPort();
  ASSERT_FALSE(port.empty());
  ProxyKauthd kauthd(pki_, "http://127.0.0.1:" + port);
  ASSERT_TRUE(kauthd.ok()) << kauthd.kauthd().process().Stderr();

  const auto got = kauthd.Curl({"-A", "e2e/1.0", "--max-time", "20"}, "/echo/down");
  // The allow-list runs first: the anonymous caller is refused before any dial.
  EXPECT_EQ(got.status, 403);
  Strings args = Bearer(kAliceToken);
  args.insert(args.end(), {"-A", "e2e/1.0", "--max-time", "20"});
  const auto down = kauthd.Curl(args, "/echo/down");
  EXPECT_EQ(down.status, 502) << down.headers << down.body;
  EXPECT_TRUE(down.body.starts_with(
      R"({"kind":"Status","apiVersion":"v1","metadata":{},"status":"Failure",)"
      R"("message":"error trying to reach upstream: )"))
      << down.body;
  EXPECT_TRUE(down.body.ends_with(R"(","code":502})"
                                  "\n"))
      << down.body;
  EXPECT_NE(down.body.find("127.0.0.1:" + port), std::string::npos) << down.body;
}

// Issue 4 item 1: an https upstream is verified (CA file, host name) and sees kauthd's proxy
// client certificate, which is what makes a front-proxy upstream trust the identity headers.
TEST_F(ProxyE2eTest, TlsUpstreamSeesTheProxyClientCertificate) {
  Upstream upstream(Upstream::Tls{.cert_file = pki_.server_cert_file,
                                  .key_file = pki_.server_key_file,
                                  .client_ca_file = pki_.client_ca_file});
  ASSERT_TRUE(upstream.ok()) << upstream.process().Stderr();
  ProxyKauthd kauthd(pki_, upstream.url("localhost"),
                     {"--upstream-ca-file=" + pki_.server_ca_file,
                      "--proxy-client-cert-file=" + pki_.jane_cert_file,
                      "--proxy-client-key-file=" + pki_.jane_key_file});
  ASSERT_TRUE(kauthd.ok()) << kauthd.kauthd().process().Stderr();

  const auto got = kauthd.Curl(Bearer(kAliceToken), "/echo/tls");
  ASSERT_EQ(got.status, 200) << got.headers << got.body;
  EXPECT_EQ(JsonField(got.body, "peer_cn"), "jane");
  EXPECT_EQ(Values(HeadersIn(got.body), "X-Remote-User"), Strings{"alice"});
  EXPECT_EQ(Values(HeadersIn(got.body), "Host"), Strings{"localhost:" + upstream.port()});
}

TEST_F(ProxyE2eTest, TlsUpstreamWithAnUntrustedCertificateGivesBadGateway) {
  Upstream upstream(
      Upstream::Tls{.cert_file = pki_.server_cert_file, .key_file = pki_.server_key_file});
  ASSERT_TRUE(upstream.ok()) << upstream.process().Stderr();
  // The client CA did not sign the upstream's certificate.
  ProxyKauthd kauthd(pki_, upstream.url(), {"--upstream-ca-file=" + pki_.client_ca_file});
  ASSERT_TRUE(kauthd.ok()) << kauthd.kauthd().process().Stderr();
  const auto got = kauthd.Curl(Bearer(kAliceToken), "/echo/untrusted");
  EXPECT_EQ(got.status, 502) << got.headers << got.body;
  EXPECT_NE(got.body.find("error trying to reach upstream: "), std::string::npos) << got.body;
}

// Issue 4 "done when": kubectl against kauthd in impersonate mode, in front of an upstream that
// answers like an API server, gets through with the expected Impersonate-* headers, and with
// kauthd's own credential instead of the caller's.
TEST_F(ProxyE2eTest, KubectlGetThroughImpersonateMode) {
  if (!HaveTool("kubectl")) GTEST_SKIP() << "kubectl is not installed";
  Upstream upstream;
  ASSERT_TRUE(upstream.ok()) << upstream.process().Stderr();
  ProxyKauthd kauthd(pki_, upstream.url(),
                     {"--upstream-identity=impersonate",
                      "--upstream-token-file=" + WriteUpstreamToken(),
                      "--metrics-allowed-users=alice"});
  ASSERT_TRUE(kauthd.ok()) << kauthd.kauthd().process().Stderr();
  const std::string kubeconfig =
      kauthd.kauthd().Kubeconfig("alice", std::string("    token: ") + kAliceToken + "\n");

  const auto get = RunCommand({"kubectl", "--kubeconfig", kubeconfig, "get", "configmaps"});
  ASSERT_EQ(get.exit_code, 0) << get.err;
  EXPECT_TRUE(get.out.starts_with("NAME")) << get.out;
  EXPECT_NE(get.out.find("seen-by-upstream"), std::string::npos) << get.out;

  const auto json = RunCommand({"kubectl", "--kubeconfig", kubeconfig, "get", "configmaps", "-o",
                                "jsonpath={.items[0].data}"});
  ASSERT_EQ(json.exit_code, 0) << json.err;
  EXPECT_EQ(json.out,
            R"({"impersonate-groups":"dev,ops,system:authenticated","impersonate-uid":"1001",)"
            R"("impersonate-user":"alice"})");

  const HeaderLines last = HeadersIn(upstream.Get("/_last"));
  EXPECT_EQ(Values(last, "Impersonate-User"), Strings{"alice"});
  EXPECT_EQ(Values(last, "Impersonate-Group"), (Strings{"dev", "ops", "system:authenticated"}));
  EXPECT_EQ(Values(last, "Impersonate-Uid"), Strings{"1001"});
  EXPECT_EQ(Values(last, "Authorization"), Strings{std::string("Bearer ") + kUpstreamToken});
  EXPECT_EQ(NamesWithPrefix(last, "X-Remote-"), Strings{});

  // kubectl --as fails loudly instead of acting as alice.
  const auto as =
      RunCommand({"kubectl", "--kubeconfig", kubeconfig, "--as", "bob", "get", "configmaps"});
  EXPECT_NE(as.exit_code, 0);
  EXPECT_NE(as.err.find("impersonation through kauthd is not supported"), std::string::npos)
      << as.err;

  // Issue 5: kubectl negotiated HTTP/2 with kauthd (counted by protocol on kauthd's own
  // listener, which serves /metrics in proxy mode).
  const auto metrics = kauthd.CurlEndpoints(Bearer(kAliceToken), "/metrics");
  ASSERT_EQ(metrics.status, 200) << metrics.body;
  EXPECT_NE(metrics.body.find(R"(kauth_http_requests_total{code="200",method="GET",protocol="h2"})"),
            std::string::npos)
      << metrics.body;
}

// Issue 4 item 1: in proxy mode every path is the upstream's (a SelfSubjectReview included), and
// kauthd's own endpoints answer on the second listener with the same authentication.
TEST_F(ProxyE2eTest, OwnEndpointsMoveToTheProxyEndpointsListener) {
  Upstream upstream;
  ASSERT_TRUE(upstream.ok()) << upstream.process().Stderr();
  ProxyKauthd kauthd(pki_, upstream.url());
  ASSERT_TRUE(kauthd.ok()) << kauthd.kauthd().process().Stderr();

  // Forwarded: the upstream's 404 and 403, not kauthd's health check or review.
  const auto healthz = kauthd.Curl(Bearer(kAliceToken), "/healthz");
  EXPECT_EQ(healthz.status, 404);
  EXPECT_EQ(JsonField(healthz.body, "message"), "the server could not find the requested resource");
  const auto review =
      kauthd.Curl({"-X", "POST", "-H", "Authorization: Bearer " + std::string(kAliceToken)},
                  "/apis/authentication.k8s.io/v1/selfsubjectreviews");
  EXPECT_EQ(review.status, 403);
  EXPECT_EQ(JsonField(review.body, "message"),
            "forbidden: this upstream answers only impersonated requests");
  EXPECT_EQ(Values(HeadersIn(upstream.Get("/_last")), "X-Remote-User"), Strings{"alice"});

  // kauthd's own: health with the upstream check, a review by kauthd, and its authorizer.
  const auto readyz = kauthd.CurlEndpoints({}, "/readyz?verbose");
  EXPECT_EQ(readyz.status, 200) << readyz.body;
  EXPECT_NE(readyz.body.find("[+]upstream ok\n"), std::string::npos) << readyz.body;
  EXPECT_TRUE(readyz.body.ends_with("readyz check passed\n")) << readyz.body;
  const auto own_review = kauthd.CurlEndpoints(
      {"-X", "POST", "-H", "Authorization: Bearer " + std::string(kAliceToken)},
      "/apis/authentication.k8s.io/v1/selfsubjectreviews");
  EXPECT_EQ(own_review.status, 201) << own_review.body;
  EXPECT_NE(own_review.body.find("\"username\": \"alice\""), std::string::npos) << own_review.body;
  EXPECT_EQ(kauthd.CurlEndpoints(Bearer(kAliceToken), "/metrics").status, 403);
  EXPECT_EQ(kauthd.CurlEndpoints(Bearer("bad"), "/version").status, 401);
  EXPECT_EQ(kauthd.CurlEndpoints({}, "/echo/x").status, 404);
}

// Issue 4 item 6: upstream reachability is part of readiness.
TEST_F(ProxyE2eTest, ReadyzFailsWhileTheUpstreamIsDown) {
  const std::string port = ClosedPort();
  ASSERT_FALSE(port.empty());
  ProxyKauthd kauthd(pki_, "http://127.0.0.1:" + port);
  ASSERT_TRUE(kauthd.ok()) << kauthd.kauthd().process().Stderr();

  // The first probe runs at start-up; wait for it to have failed.
  CurlResult check;
  for (auto deadline = std::chrono::steady_clock::now() + 10s;
       std::chrono::steady_clock::now() < deadline; std::this_thread::sleep_for(100ms)) {
    check = kauthd.CurlEndpoints({}, "/readyz/upstream");
    if (check.body.find("unreachable") != std::string::npos) break;
  }
  EXPECT_EQ(check.status, 500);
  EXPECT_TRUE(check.body.starts_with("internal server error: upstream 127.0.0.1:" + port +
                                     " is unreachable: "))
      << check.body;
  const auto readyz = kauthd.CurlEndpoints({}, "/readyz?verbose");
  EXPECT_EQ(readyz.status, 500);
  EXPECT_NE(readyz.body.find("[-]upstream failed: reason withheld\n"), std::string::npos)
      << readyz.body;
  // Liveness does not depend on the upstream: restarting kauthd would not bring it back.
  EXPECT_EQ(kauthd.CurlEndpoints({}, "/livez").status, 200);
  EXPECT_EQ(kauthd.CurlEndpoints({}, "/healthz").status, 200);
}

// SIGTERM stops both listeners and kauthd exits 0.
TEST_F(ProxyE2eTest, SigtermStopsBothListeners) {
  Upstream upstream;
  ASSERT_TRUE(upstream.ok()) << upstream.process().Stderr();
  ProxyKauthd kauthd(pki_, upstream.url());
  ASSERT_TRUE(kauthd.ok()) << kauthd.kauthd().process().Stderr();
  EXPECT_EQ(kauthd.kauthd().process().Stop(SIGTERM, 10s), std::optional<int>(0))
      << kauthd.kauthd().process().Stderr();
}

// Issue 4 item 2 and the flag rules: kauthd refuses to start on a proxy configuration that could
// not work, with one line naming the flag.
TEST_F(ProxyE2eTest, StartUpRefusesBrokenProxyConfigurations) {
  struct Case {
    Strings flags;
    std::string want;
  };
  const Case cases[] = {
      {{"--upstream=http://127.0.0.1:1"},
       "Error: --upstream requires an authenticator: set --client-ca-file, --token-auth-file or "
       "--requestheader-client-ca-file\n"},
      {{"--upstream=127.0.0.1:1", "--client-ca-file=" + pki_.client_ca_file},
       "Error: --upstream: \"127.0.0.1:1\": the URL must start with http:// or https://\n"},
      {{"--proxy-endpoints-port=0"},
       "Error: --proxy-endpoints-port is only used with --upstream\n"},
  };
  for (const Case& c : cases) {
    Strings argv = {KAUTHD_PATH, "--secure-port=0", "--bind-address=127.0.0.1"};
    argv.insert(argv.end(), c.flags.begin(), c.flags.end());
    const auto run = RunCommand(argv, {}, 20s);
    EXPECT_EQ(run.exit_code, 1) << c.want;
    EXPECT_EQ(run.err, c.want);
  }
}

}  // namespace
}  // namespace kauth::e2e
