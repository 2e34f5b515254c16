// The request-header authenticator (R9): Kubernetes' x509 Verifier (certificate gate) around its
// header authenticator, as one object.
#include "kauth/request_header.h"

#include <openssl/crypto.h>
#include <openssl/x509.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/strings.h"
#include "x509/certificate_fields.h"

namespace kauth {
namespace {

AuthResult Reject(std::string message) {
  return AuthResult::Rejected(AuthError(AuthErrorKind::kInvalidCredential, std::move(message)));
}

int HexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

// Go's url.PathUnescape: "%XX" becomes the byte, '+' stays '+'; a '%' not followed by two hex
// digits makes the whole text invalid.
std::optional<std::string> PathUnescape(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (std::size_t i = 0; i < text.size(); ++i) {
    if (text[i] != '%') {
      out += text[i];
      continue;
    }
    if (i + 2 >= text.size()) return std::nullopt;
    const int high = HexValue(text[i + 1]);
    const int low = HexValue(text[i + 2]);
    if (high < 0 || low < 0) return std::nullopt;
    out += static_cast<char>(high * 16 + low);
    i += 2;
  }
  return out;
}

// R9.3: the extra key is lower-cased before it is decoded, so "%41" still gives "A". Malformed
// escapes are kept as sent rather than dropping the value.
std::string ExtraKey(std::string_view rest) {
  std::string lower = AsciiLower(rest);
  std::optional<std::string> decoded = PathUnescape(lower);
  return decoded ? std::move(*decoded) : std::move(lower);
}

// The first header in `names` whose first value is non-empty (Go's Header.Get per name).
std::string FirstValue(const Request& request, const std::vector<std::string>& names) {
  for (const std::string& name : names) {
    std::optional<std::string_view> value = request.Header(name);
    if (value && !value->empty()) return std::string(*value);
  }
  return "";
}

class RequestHeaderAuthenticator final : public InlineRequestAuthenticator {
 public:
  explicit RequestHeaderAuthenticator(RequestHeaderAuthenticatorOptions options)
      : options_(std::move(options)) {
    if (options_.client_ca == nullptr) {
      std::fprintf(stderr, "kauth: NewRequestHeaderAuthenticator needs a client CA provider\n");
      std::abort();
    }
  }

  AuthResult AuthenticateInline(Request& request, AuthContext& /*ctx*/) const override {
    return AuthenticateNow(request);
  }

 private:
  AuthResult AuthenticateNow(Request& request) const {
    if (!request.is_tls()) return AuthResult::NotApplicable();
    const std::span<X509* const> chain = request.peer_certificates();
    if (chain.empty()) return AuthResult::NotApplicable();
    // Held until the end of this call: a reload may swap the provider's bundle meanwhile.
    const std::shared_ptr<const CaBundle> bundle = options_.client_ca->Current();
    if (bundle == nullptr) return AuthResult::NotApplicable();

    const auto now = options_.now ? options_.now() : std::chrono::system_clock::now();
    // Unlike the x509 authenticator, Kubernetes' Verifier returns Go's error unwrapped and
    // records no expiration metric.
    if (Result<void> verified = VerifyClientCertificate(chain, *bundle, now); !verified) {
      return Reject(verified.error().message);
    }
    if (!options_.allowed_names.empty()) {
      const std::string cn =
          x509_internal::ParseGoSubject(X509_get_subject_name(chain.front())).common_name;
      if (std::find(options_.allowed_names.begin(), options_.allowed_names.end(), cn) ==
          options_.allowed_names.end()) {
        return Reject("x509: subject with cn=" + cn + " is not in the allowed list");
      }
    }
    return UserFromHeaders(request);
  }

  AuthResult UserFromHeaders(Request& request) const {
    UserInfo user;
    user.name = FirstValue(request, options_.username_headers);
    if (user.name.empty()) return AuthResult::NotApplicable();
    user.uid = FirstValue(request, options_.uid_headers);
    for (const std::string& name : options_.group_headers) {
      for (std::string_view value : request.HeaderValues(name)) {
        if (!value.empty()) user.groups.emplace_back(value);
      }
    }

    // Names of every line matching a prefix, to remove once the walk is over (removing while
    // ForEachHeader runs would invalidate it). One header line may match several prefixes;
    // Kubernetes then records its values under each, and so does this.
    for (const std::string& prefix : options_.extra_header_prefixes) {
      request.ForEachHeader([&](std::string_view name, std::string_view value) {
        if (!StartsWithIgnoreCase(name, prefix)) return;
        user.extra[ExtraKey(name.substr(prefix.size()))].emplace_back(value);
      });
    }

    // The proxy's identity must not reach anything downstream (an upstream, an audit log) as if
    // the client had sent it.
    request.RemoveHeadersIf([this](std::string_view name) {
      const std::vector<std::string>* const lists[] = {
          &options_.username_headers, &options_.uid_headers, &options_.group_headers};
      for (const std::vector<std::string>* names : lists) {
        for (const std::string& doomed : *names) {
          if (EqualsIgnoreCase(name, doomed)) return true;
        }
      }
      for (const std::string& prefix : options_.extra_header_prefixes) {
        if (StartsWithIgnoreCase(name, prefix)) return true;
      }
      return false;
    });
    return AuthResult::Authenticated(Response{.user = std::move(user), .audiences = {}});
  }

  const RequestHeaderAuthenticatorOptions options_;
};

// Go's strings.TrimSpace(entry) == "" for any entry.
bool HasWhitespaceOnlyEntry(const std::vector<std::string>& values) {
  return std::any_of(values.begin(), values.end(),
                     [](const std::string& value) { return TrimSpace(value).empty(); });
}

bool ContainsIgnoreCase(const std::vector<std::string>& values, std::string_view wanted) {
  return std::any_of(values.begin(), values.end(),
                     [&](const std::string& value) { return EqualsIgnoreCase(value, wanted); });
}

std::string MissingStandardText(std::string_view flag, std::string_view what,
                                std::string_view standard) {
  return "--" + std::string(flag) + " is set without specifying the standard " +
         std::string(standard) + " " + std::string(what) + " - API aggregation will not work";
}

// Go's x509.Certificate.Equal: the same DER bytes.
bool SameCertificate(X509* a, X509* b) {
  unsigned char* der_a = nullptr;
  unsigned char* der_b = nullptr;
  const int len_a = i2d_X509(a, &der_a);
  const int len_b = i2d_X509(b, &der_b);
  const bool same = len_a > 0 && len_a == len_b && std::equal(der_a, der_a + len_a, der_b);
  OPENSSL_free(der_a);
  OPENSSL_free(der_b);
  return same;
}

bool BundlesOverlap(const CaBundle& a, const CaBundle& b) {
  for (X509* cert_a : a.certificates()) {
    for (X509* cert_b : b.certificates()) {
      if (SameCertificate(cert_a, cert_b)) return true;
    }
  }
  return false;
}

}  // namespace

std::unique_ptr<RequestAuthenticator> NewRequestHeaderAuthenticator(
    RequestHeaderAuthenticatorOptions options) {
  return std::make_unique<RequestHeaderAuthenticator>(std::move(options));
}

Result<std::vector<std::string>> ValidateRequestHeaderOptions(
    const RequestHeaderAuthenticatorOptions& options, const CaBundle* client_ca) {
  // Every text below is distinct, so R0.3's aggregate reduces to a bare text or "[a, b]".
  std::vector<std::string> errors;
  const auto add_error = [&](std::string message) { errors.push_back(std::move(message)); };

  const std::pair<const char*, const std::vector<std::string>*> lists[] = {
      {"requestheader-username-headers", &options.username_headers},
      {"requestheader-uid-headers", &options.uid_headers},
      {"requestheader-group-headers", &options.group_headers},
      {"requestheader-extra-headers-prefix", &options.extra_header_prefixes},
      {"requestheader-allowed-names", &options.allowed_names},
  };
  for (const auto& [flag, values] : lists) {
    if (HasWhitespaceOnlyEntry(*values)) {
      add_error("empty value in \"" + std::string(flag) + "\"");
    }
  }
  // The UID headers came later than the others, so Kubernetes could make this one an error.
  if (!options.uid_headers.empty() &&
      !ContainsIgnoreCase(options.uid_headers, kStandardUidHeader)) {
    add_error(MissingStandardText("requestheader-uid-headers", "header", kStandardUidHeader));
  }
  // A certificate trusted for ordinary client authentication could otherwise also act as the
  // proxy and claim any identity.
  if (client_ca != nullptr && options.client_ca != nullptr && options.allowed_names.empty()) {
    const std::shared_ptr<const CaBundle> request_header_ca = options.client_ca->Current();
    if (request_header_ca != nullptr && BundlesOverlap(*client_ca, *request_header_ca)) {
      add_error(
          "--requestheader-client-ca-file and --client-ca-file contain overlapping certificates; "
          "--requestheader-allowed-names must be specified to ensure regular client certificates "
          "cannot set authenticating proxy headers for arbitrary users");
    }
  }
  if (errors.size() == 1) return Error{std::move(errors.front())};
  if (!errors.empty()) {
    std::string joined = "[";
    for (std::size_t i = 0; i < errors.size(); ++i) joined += (i > 0 ? ", " : "") + errors[i];
    return Error{joined + "]"};
  }

  std::vector<std::string> warnings;
  if (!options.username_headers.empty() &&
      !ContainsIgnoreCase(options.username_headers, kStandardUsernameHeader)) {
    warnings.push_back(
        MissingStandardText("requestheader-username-headers", "header", kStandardUsernameHeader));
  }
  if (!options.group_headers.empty() &&
      !ContainsIgnoreCase(options.group_headers, kStandardGroupHeader)) {
    warnings.push_back(
        MissingStandardText("requestheader-group-headers", "header", kStandardGroupHeader));
  }
  if (!options.extra_header_prefixes.empty() &&
      !ContainsIgnoreCase(options.extra_header_prefixes, kStandardExtraHeaderPrefix)) {
    warnings.push_back(MissingStandardText("requestheader-extra-headers-prefix", "header prefix",
                                           kStandardExtraHeaderPrefix));
  }
  return warnings;
}

}  // namespace kauth
