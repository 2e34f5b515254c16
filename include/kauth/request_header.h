// The request-header authenticator (R9): trusts identity headers (X-Remote-User and friends)
// only on requests whose client certificate an authenticating front proxy presented, verified
// against the request-header CA (--requestheader-client-ca-file).
//
// It belongs first in the chain (ChainConfig::front), wrapped audience-agnostic as
// kube-apiserver does:
//
//   config.front.push_back(NewAudienceAgnosticAuthenticator(
//       NewRequestHeaderAuthenticator(std::move(options)), api_audiences));
//
// The authenticator is immutable after construction and safe to call from many threads; the CA
// can still change underneath it through the provider (R5.7).
#ifndef KAUTH_REQUEST_HEADER_H_
#define KAUTH_REQUEST_HEADER_H_

#include <chrono>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "kauth/authenticator.h"
#include "kauth/error.h"
#include "kauth/x509.h"

namespace kauth {

// The names API aggregation relies on (R9.6, R9.7).
inline constexpr std::string_view kStandardUsernameHeader = "X-Remote-User";
inline constexpr std::string_view kStandardUidHeader = "X-Remote-Uid";
inline constexpr std::string_view kStandardGroupHeader = "X-Remote-Group";
inline constexpr std::string_view kStandardExtraHeaderPrefix = "X-Remote-Extra-";

struct RequestHeaderAuthenticatorOptions {
  // --requestheader-client-ca-file. Required: NewRequestHeaderAuthenticator aborts without it.
  // While it holds no bundle every request is NotApplicable (R5.2).
  std::shared_ptr<const CaBundleProvider> client_ca;
  // --requestheader-allowed-names: the proxy certificate CNs accepted. Empty: any certificate
  // the CA verifies.
  std::vector<std::string> allowed_names;
  // --requestheader-username-headers, -uid-headers, -group-headers, -extra-headers-prefix, in
  // flag order. Names match case-insensitively; they are used as given (not trimmed), as
  // kube-apiserver does. All empty by default, like kube-apiserver's flags (R9.1).
  std::vector<std::string> username_headers;
  std::vector<std::string> uid_headers;
  std::vector<std::string> group_headers;
  std::vector<std::string> extra_header_prefixes;
  // The clock for certificate validity; the system clock when empty.
  std::function<std::chrono::system_clock::time_point()> now;
};

// R9.2-R9.4. Outcomes:
//   NotApplicable: no TLS, no client certificate, no CA bundle loaded yet, or a verified proxy
//     certificate but no username header with a non-empty first value;
//   Rejected("<Go x509 error>"): the certificate does not verify against the request-header CA
//     (the bare text, e.g. "x509: certificate signed by unknown authority");
//   Rejected("x509: subject with cn=<CN> is not in the allowed list"): allowed_names is set and
//     the leaf's CN is not one of them (exact, case-sensitive);
//   Authenticated: the user from the headers, with no audiences. Every username, UID and group
//     header and every header starting with an extra prefix is then removed from the request.
// The certificate itself contributes nothing to the user: no groups, no credential id.
std::unique_ptr<RequestAuthenticator> NewRequestHeaderAuthenticator(
    RequestHeaderAuthenticatorOptions options);

// R9.6 start-up validation of the request-header flags. `client_ca` is the --client-ca-file
// bundle (nullptr when that flag is unset); the request-header bundle is
// `options.client_ca->Current()` (either may be absent). Returns the warnings to log, in order:
//   --requestheader-username-headers is set without specifying the standard X-Remote-User
//   header - API aggregation will not work
// (and the same for the group headers, then "--requestheader-extra-headers-prefix is set
// without specifying the standard X-Remote-Extra- header prefix - API aggregation will not
// work"). Errors, every one that applies, aggregated as R0.3 prints them ("[a, b]" for several):
//   empty value in "requestheader-username-headers"   (a whitespace-only entry; likewise for
//     "requestheader-uid-headers", "requestheader-group-headers",
//     "requestheader-extra-headers-prefix", "requestheader-allowed-names")
//   --requestheader-uid-headers is set without specifying the standard X-Remote-Uid header -
//     API aggregation will not work
//   --requestheader-client-ca-file and --client-ca-file contain overlapping certificates;
//     --requestheader-allowed-names must be specified to ensure regular client certificates
//     cannot set authenticating proxy headers for arbitrary users
//     (some certificate, byte for byte, is in both bundles and allowed_names is empty).
Result<std::vector<std::string>> ValidateRequestHeaderOptions(
    const RequestHeaderAuthenticatorOptions& options, const CaBundle* client_ca);

}  // namespace kauth

#endif  // KAUTH_REQUEST_HEADER_H_
