// Identity headers: how kauthd tells the upstream who the authenticated caller is
// (--upstream-identity).
//
//   front-proxy (default): Kubernetes' request-header protocol (R9), as kube-aggregator sends it
//     to aggregated API servers: <username header>: <name>; one <group header> line per group, in
//     order; <uid header>: <uid> only when the UID is non-empty; one <extra prefix><escaped key>
//     line per extra value. The upstream trusts them because kauthd connects with the proxy
//     client certificate (the transport's job).
//   impersonate: kube-apiserver's impersonation headers (Impersonate-User, one Impersonate-Group
//     per group, Impersonate-Uid when non-empty, Impersonate-Extra-<escaped key> per value),
//     which a real kube-apiserver honours for kauthd's own credential (again the transport's).
//
// Groups are forwarded exactly as authenticated, system:authenticated included: kube-aggregator
// passes user.GetGroups() unchanged to transport.NewAuthProxyRoundTripper, and kube-apiserver's
// impersonation filter accepts the group list as given.
//
// Extra keys are escaped so that R9.3's reader (lower-case the rest of the name, then
// url.PathUnescape) gives back the key byte for byte: see EscapeExtraKey.
//
// Pure functions; thread-safe.
#ifndef KAUTH_PROXY_IDENTITY_HEADERS_H_
#define KAUTH_PROXY_IDENTITY_HEADERS_H_

#include <string>
#include <string_view>

#include "kauth/error.h"
#include "kauth/user.h"
#include "proxy/header_list.h"

namespace kauth::proxy {

enum class IdentityMode { kFrontProxy, kImpersonate };

// The outbound front-proxy names (--upstream-username-header, --upstream-group-header,
// --upstream-uid-header, --upstream-extra-header-prefix). Deliberately separate from the inbound
// --requestheader-* flags. The defaults are the names API aggregation relies on (R9.6, R9.7).
struct FrontProxyHeaderNames {
  std::string username_header = "X-Remote-User";
  std::string group_header = "X-Remote-Group";
  std::string uid_header = "X-Remote-Uid";
  std::string extra_header_prefix = "X-Remote-Extra-";
};

struct IdentityHeaderOptions {
  IdentityMode mode = IdentityMode::kFrontProxy;
  // Used in front-proxy mode only.
  FrontProxyHeaderNames front_proxy;
};

// The impersonation names kube-apiserver reads (k8s.io/api/authentication/v1).
inline constexpr std::string_view kImpersonateUserHeader = "Impersonate-User";
inline constexpr std::string_view kImpersonateGroupHeader = "Impersonate-Group";
inline constexpr std::string_view kImpersonateUidHeader = "Impersonate-Uid";
inline constexpr std::string_view kImpersonateExtraHeaderPrefix = "Impersonate-Extra-";

// Start-up check of the outbound names. Errors (the first that applies):
//   --upstream-username-header: "<name>" is not a valid HTTP header name
//     (likewise --upstream-group-header, --upstream-uid-header, --upstream-extra-header-prefix;
//     empty counts as invalid)
//   --upstream-username-header and --upstream-group-header name the same header "<name>"
//     (any two of the three single names, compared case-insensitively)
//   --upstream-username-header "<name>" starts with --upstream-extra-header-prefix "<prefix>"
//     (likewise the group and uid headers: the receiver would read it as an extra too)
Result<void> ValidateFrontProxyHeaderNames(const FrontProxyHeaderNames& names);

// The header-name form of an extra key. A byte stays as it is only when it is a lower-case
// letter, a digit or one of !#$&'*+-.^_`|~ (an HTTP token character); every other byte, '%'
// and upper-case letters included, becomes %XX with upper-case hex digits. So
// "Acme.com/Project X" gives "%41cme.com%2F%50roject%20%58".
//
// client-go's headerKeyEscape (transport/round_trippers.go, used by SetAuthProxyHeaders and by
// the impersonation round tripper) escapes the same way except that it leaves upper-case letters
// alone; since both Kubernetes readers lower-case the name before unescaping (headerrequest's
// newExtra, the impersonation filter's unescapeExtraKey), an upper-case key sent by client-go
// arrives lower-cased. Escaping upper case keeps such keys intact, and a reader decodes the
// escapes either way.
std::string EscapeExtraKey(std::string_view key);

// The identity header lines for `user`, in this order: user, groups (in order), uid (when
// non-empty), extras (keys in UserInfo's order, values in order). Nothing else: the upstream
// credential is the transport's.
//
// Error, when the identity cannot be carried faithfully in HTTP header lines (the request must
// then not be forwarded):
//   cannot forward the identity: empty user name
//   cannot forward the identity: the value of <header> is not a valid HTTP header value
//     (a byte below 0x20 other than HTAB, or DEL: it would break the request's framing), or
//     begins or ends with a space or HTAB (the receiver would strip it and see another name)
// `<header>` is the header's name (the escaped extra key for an extra); the value itself is not
// repeated, so the message is safe to log. As in Kubernetes, an empty group and an extra key
// with no values are sent as they are (an empty group line; no line) and R9.3's reader drops
// them.
Result<HeaderList> IdentityHeaders(const UserInfo& user, const IdentityHeaderOptions& options);

}  // namespace kauth::proxy

#endif  // KAUTH_PROXY_IDENTITY_HEADERS_H_
