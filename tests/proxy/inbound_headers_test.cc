#include "proxy/inbound_headers.h"

#include <gtest/gtest.h>

#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "http/server_request.h"
#include "http/status.h"

namespace kauth::proxy {
namespace {

void Fill(http::ServerRequest& request, const HeaderList& headers,
          std::string remote = "192.0.2.7:51234") {
  for (const auto& [name, value] : headers) request.AddHeader(name, value);
  request.set_remote_address(std::move(remote));
}

TEST(ForwardedRequestHeadersTest, StripsIdentityHopByHopAndSetsForwardedHeaders) {
  FrontProxyHeaderNames custom;
  custom.username_header = "X-Upstream-User";
  custom.group_header = "X-Upstream-Group";
  custom.uid_header = "X-Upstream-Uid";
  custom.extra_header_prefix = "X-Upstream-Extra-";
  const HeaderList forwarded_tail = {{"X-Forwarded-For", "192.0.2.7"},
                                     {"X-Forwarded-Proto", "https"},
                                     {"X-Forwarded-Host", "kauthd.example:6443"}};
  const auto with_tail = [&](HeaderList head) {
    head.insert(head.end(), forwarded_tail.begin(), forwarded_tail.end());
    return head;
  };
  const struct {
    const char* name;
    HeaderList in;
    FrontProxyHeaderNames names;
    bool tunnel_upgrade = false;
    std::string remote = "192.0.2.7:51234";
    HeaderList want;
  } cases[] = {
      {"end-to-end headers pass in order; Host and Content-Length are the transport's",
       {{"Host", "kauthd.example:6443"},
        {"Accept", "application/json"},
        {"Content-Length", "12"},
        {"User-Agent", "kubectl/v1.32.0"},
        {"Accept", "application/yaml"},
        {"Audit-Id", "abc"},
        {"Expect", "100-continue"}},
       {},
       false,
       "192.0.2.7:51234",
       with_tail({{"Accept", "application/json"},
                  {"User-Agent", "kubectl/v1.32.0"},
                  {"Accept", "application/yaml"},
                  {"Audit-Id", "abc"},
                  {"Expect", "100-continue"}})},
      {"credentials and spoofed identity in any case, repeated or not",
       {{"Host", "kauthd.example:6443"},
        {"Authorization", "Bearer secret"},
        {"proxy-authorization", "Basic c2VjcmV0"},
        {"X-Remote-User", "system:admin"},
        {"x-remote-group", "system:masters"},
        {"X-REMOTE-GROUP", "system:masters"},
        {"X-Remote-Uid", "0"},
        {"x-Remote-extra-scopes", "all"},
        {"X-Remote-Anything", "x"},
        {"Impersonate-User", "admin"},
        {"impersonate-extra-x", "y"},
        {"Accept", "*/*"}},
       {},
       false,
       "192.0.2.7:51234",
       with_tail({{"Accept", "*/*"}})},
      {"configured outbound names are stripped too",
       {{"Host", "kauthd.example:6443"},
        {"x-upstream-user", "system:admin"},
        {"X-Upstream-Group", "system:masters"},
        {"X-Upstream-Uid", "0"},
        {"X-UPSTREAM-EXTRA-scopes", "all"},
        {"X-Upstream-Other", "kept"}},
       custom,
       false,
       "192.0.2.7:51234",
       with_tail({{"X-Upstream-Other", "kept"}})},
      {"RFC 9110 7.6.1 hop-by-hop headers and those Connection names",
       {{"Host", "kauthd.example:6443"},
        {"Connection", "keep-alive, X-Hop"},
        {"connection", " x-other-hop ,,"},
        {"Keep-Alive", "timeout=5"},
        {"Proxy-Connection", "keep-alive"},
        {"Transfer-Encoding", "chunked"},
        {"Trailer", "X-Checksum"},
        {"TE", "gzip"},
        {"X-Hop", "1"},
        {"X-Other-Hop", "2"},
        {"Upgrade", "websocket"},
        {"X-End-To-End", "3"}},
       {},
       false,
       "192.0.2.7:51234",
       with_tail({{"X-End-To-End", "3"}})},
      {"TE: trailers is kept, whatever else TE listed",
       {{"Host", "kauthd.example:6443"}, {"Te", "gzip;q=0.5, Trailers ;q=1"}},
       {},
       false,
       "192.0.2.7:51234",
       with_tail({{"TE", "trailers"}})},
      {"an upgrade being tunnelled keeps Upgrade with Connection: Upgrade",
       {{"Host", "kauthd.example:6443"},
        {"Connection", "Upgrade"},
        {"Upgrade", "websocket"},
        {"Sec-WebSocket-Key", "dGhlIHNhbXBsZSBub25jZQ=="},
        {"Sec-WebSocket-Protocol", "v5.channel.k8s.io"}},
       {},
       true,
       "192.0.2.7:51234",
       with_tail({{"Sec-WebSocket-Key", "dGhlIHNhbXBsZSBub25jZQ=="},
                  {"Sec-WebSocket-Protocol", "v5.channel.k8s.io"},
                  {"Connection", "Upgrade"},
                  {"Upgrade", "websocket"}})},
      {"tunnelling keeps only the first Upgrade value (Go's Header.Get)",
       {{"Host", "kauthd.example:6443"},
        {"Connection", "upgrade"},
        {"Upgrade", "SPDY/3.1"},
        {"Upgrade", "websocket"}},
       {},
       true,
       "192.0.2.7:51234",
       with_tail({{"Connection", "Upgrade"}, {"Upgrade", "SPDY/3.1"}})},
      {"the client's X-Forwarded-For lines are folded and the client IP appended",
       {{"Host", "kauthd.example:6443"},
        {"X-Forwarded-For", "203.0.113.1"},
        {"x-forwarded-for", "198.51.100.2, 198.51.100.3"}},
       {},
       false,
       "192.0.2.7:51234",
       {{"X-Forwarded-For", "203.0.113.1, 198.51.100.2, 198.51.100.3, 192.0.2.7"},
        {"X-Forwarded-Proto", "https"},
        {"X-Forwarded-Host", "kauthd.example:6443"}}},
      {"an X-Forwarded-For named by Connection is dropped before appending",
       {{"Host", "kauthd.example:6443"},
        {"Connection", "X-Forwarded-For"},
        {"X-Forwarded-For", "203.0.113.1"}},
       {},
       false,
       "192.0.2.7:51234",
       forwarded_tail},
      {"the client's X-Forwarded-Proto and -Host are replaced",
       {{"Host", "kauthd.example:6443"},
        {"X-Forwarded-Proto", "http"},
        {"X-Forwarded-Host", "evil.example"}},
       {},
       false,
       "192.0.2.7:51234",
       forwarded_tail},
      {"IPv6 client",
       {{"Host", "[::1]:6443"}},
       {},
       false,
       "[2001:db8::1]:443",
       {{"X-Forwarded-For", "2001:db8::1"},
        {"X-Forwarded-Proto", "https"},
        {"X-Forwarded-Host", "[::1]:6443"}}},
      {"unknown remote address: prior X-Forwarded-For passes unchanged, nothing appended",
       {{"X-Forwarded-For", "203.0.113.1"}, {"X-Forwarded-For", "203.0.113.2"}},
       {},
       false,
       "unknown",
       {{"X-Forwarded-For", "203.0.113.1"},
        {"X-Forwarded-For", "203.0.113.2"},
        {"X-Forwarded-Proto", "https"}}},
      {"no Host: no X-Forwarded-Host",
       {},
       {},
       false,
       "10.0.0.1:1",
       {{"X-Forwarded-For", "10.0.0.1"}, {"X-Forwarded-Proto", "https"}}},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.name);
    http::ServerRequest request;
    Fill(request, c.in, c.remote);
    EXPECT_EQ(ForwardedRequestHeaders(request, {.identity_names = c.names}, c.tunnel_upgrade),
              c.want);
  }
}

TEST(UpgradeProtocolTest, Table) {
  const struct {
    const char* name;
    HeaderList in;
    std::optional<std::string> want;
  } cases[] = {
      {"websocket", {{"Connection", "Upgrade"}, {"Upgrade", "websocket"}}, "websocket"},
      {"token among others, any case",
       {{"Connection", "keep-alive, UPGRADE"}, {"Upgrade", "SPDY/3.1"}},
       "SPDY/3.1"},
      {"token on a second Connection line",
       {{"Connection", "keep-alive"}, {"Connection", "upgrade"}, {"Upgrade", "h2c"}},
       "h2c"},
      {"Upgrade without the Connection token", {{"Upgrade", "websocket"}}, std::nullopt},
      {"Connection token without Upgrade", {{"Connection", "upgrade"}}, std::nullopt},
      {"empty Upgrade", {{"Connection", "upgrade"}, {"Upgrade", ""}}, std::nullopt},
      {"not a token match", {{"Connection", "upgrades"}, {"Upgrade", "websocket"}}, std::nullopt},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.name);
    http::ServerRequest request;
    Fill(request, c.in);
    EXPECT_EQ(UpgradeProtocol(request), c.want);
  }
}

TEST(ImpersonationRefusalTest, AnyImpersonateHeaderIsForbiddenNotDropped) {
  const struct {
    const char* name;
    HeaderList in;
    bool refused;
  } cases[] = {
      {"none", {{"Accept", "*/*"}, {"X-Impersonate-User", "x"}}, false},
      {"kubectl --as", {{"Impersonate-User", "admin"}}, true},
      {"kubectl --as-group only", {{"Impersonate-Group", "system:masters"}}, true},
      {"uid, lower case", {{"impersonate-uid", "1"}}, true},
      {"extra, upper case", {{"IMPERSONATE-EXTRA-SCOPES", "x"}}, true},
      {"an empty value still counts", {{"Impersonate-User", ""}}, true},
      {"any other Impersonate- suffix", {{"Impersonate-Whatever", "x"}}, true},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.name);
    http::ServerRequest request;
    Fill(request, c.in);
    const std::optional<http::Status> status = ImpersonationRefusal(request);
    ASSERT_EQ(status.has_value(), c.refused);
    if (!status) continue;
    EXPECT_EQ(http::StatusJson(*status, /*pretty=*/false),
              "{\"kind\":\"Status\",\"apiVersion\":\"v1\",\"metadata\":{},\"status\":\"Failure\","
              "\"message\":\"forbidden: impersonation through kauthd is not supported\","
              "\"reason\":\"Forbidden\",\"details\":{},\"code\":403}\n");
  }
}

}  // namespace
}  // namespace kauth::proxy
