#include "proxy/identity_headers.h"

#include <array>
#include <utility>

#include "core/go_format.h"
#include "core/strings.h"

namespace kauth::proxy {
namespace {

// Go's httpguts.ValidHeaderFieldValue (no CTL other than HTAB), plus no surrounding blanks:
// HTTP parsers drop them (RFC 9110 §5.5), so " admin" would reach the upstream as "admin".
bool CarriesFaithfully(std::string_view value) {
  if (!ValidHeaderFieldValue(value)) return false;
  const auto blank = [](char c) { return c == ' ' || c == '\t'; };
  return value.empty() || (!blank(value.front()) && !blank(value.back()));
}

class Builder {
 public:
  explicit Builder(std::size_t lines) { headers_.reserve(lines); }

  // After the first value that cannot be carried, records nothing more: that one is reported.
  void Add(std::string name, std::string_view value) {
    if (!error_.empty()) return;
    if (!CarriesFaithfully(value)) {
      error_ =
          "cannot forward the identity: the value of " + name + " is not a valid HTTP header value";
      return;
    }
    headers_.emplace_back(std::move(name), std::string(value));
  }

  Result<HeaderList> Finish() && {
    if (!error_.empty()) return Error{std::move(error_)};
    return std::move(headers_);
  }

 private:
  HeaderList headers_;
  std::string error_;
};

struct Names {
  std::string_view user;
  std::string_view group;
  std::string_view uid;
  std::string_view extra_prefix;
};

Names NamesFor(const IdentityHeaderOptions& options) {
  if (options.mode == IdentityMode::kImpersonate) {
    return {kImpersonateUserHeader, kImpersonateGroupHeader, kImpersonateUidHeader,
            kImpersonateExtraHeaderPrefix};
  }
  const FrontProxyHeaderNames& n = options.front_proxy;
  return {n.username_header, n.group_header, n.uid_header, n.extra_header_prefix};
}

}  // namespace

Result<void> ValidateFrontProxyHeaderNames(const FrontProxyHeaderNames& names) {
  const std::array<std::pair<std::string_view, const std::string*>, 3> singles = {{
      {"--upstream-username-header", &names.username_header},
      {"--upstream-group-header", &names.group_header},
      {"--upstream-uid-header", &names.uid_header},
  }};
  for (const auto& [flag, value] : singles) {
    if (!ValidHeaderFieldName(*value)) {
      return Error{std::string(flag) + ": " + GoQuote(*value) + " is not a valid HTTP header name"};
    }
  }
  if (!ValidHeaderFieldName(names.extra_header_prefix)) {
    return Error{"--upstream-extra-header-prefix: " + GoQuote(names.extra_header_prefix) +
                 " is not a valid HTTP header name"};
  }
  for (std::size_t i = 0; i < singles.size(); ++i) {
    for (std::size_t j = i + 1; j < singles.size(); ++j) {
      if (EqualsIgnoreCase(*singles[i].second, *singles[j].second)) {
        return Error{std::string(singles[i].first) + " and " + std::string(singles[j].first) +
                     " name the same header " + GoQuote(*singles[i].second)};
      }
    }
  }
  for (const auto& [flag, value] : singles) {
    if (StartsWithIgnoreCase(*value, names.extra_header_prefix)) {
      return Error{std::string(flag) + " " + GoQuote(*value) +
                   " starts with --upstream-extra-header-prefix " +
                   GoQuote(names.extra_header_prefix)};
    }
  }
  return {};
}

std::string EscapeExtraKey(std::string_view key) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out;
  out.reserve(key.size());
  for (const char ch : key) {
    const auto c = static_cast<unsigned char>(ch);
    // Upper case is escaped because the reader lower-cases the name before decoding; '%' because
    // it must decode as itself.
    const bool keep = IsTokenByte(ch) && c != '%' && !(c >= 'A' && c <= 'Z');
    if (keep) {
      out.push_back(ch);
    } else {
      out.push_back('%');
      out.push_back(kHex[c >> 4]);
      out.push_back(kHex[c & 0x0f]);
    }
  }
  return out;
}

Result<HeaderList> IdentityHeaders(const UserInfo& user, const IdentityHeaderOptions& options) {
  // R9.3's reader treats an empty name as "no user" (NotApplicable), and kube-apiserver rejects
  // an empty Impersonate-User: neither would see the caller.
  if (user.name.empty()) return Error{"cannot forward the identity: empty user name"};
  const Names names = NamesFor(options);
  std::size_t lines = 1 + user.groups.size() + (user.uid.empty() ? 0 : 1);
  for (const auto& [key, values] : user.extra) lines += values.size();
  Builder builder(lines);
  builder.Add(std::string(names.user), user.name);
  for (const std::string& group : user.groups) builder.Add(std::string(names.group), group);
  if (!user.uid.empty()) builder.Add(std::string(names.uid), user.uid);
  for (const auto& [key, values] : user.extra) {
    const std::string name = std::string(names.extra_prefix) + EscapeExtraKey(key);
    for (const std::string& value : values) builder.Add(name, value);
  }
  return std::move(builder).Finish();
}

}  // namespace kauth::proxy
