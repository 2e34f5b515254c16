// CaBundle: the client CA file as Kubernetes reads it (R5.7): PEM blocks found the way Go's
// encoding/pem finds them, only "CERTIFICATE" blocks without headers used (client-go's
// ParseCertsPEM), and every such block required to parse.
#include <fcntl.h>
#include <openssl/x509.h>
#include <openssl/x509_vfy.h>
#include <openssl/x509v3.h>
#include <unistd.h>

#include <array>
#include <cctype>
#include <cerrno>
#include <optional>
#include <system_error>
#include <utility>

#include "core/go_format.h"
#include "kauth/x509.h"
#include "x509/go_x509_errors.h"
#include "x509/openssl_error_mark.h"
#include "x509/verify_internal.h"

namespace kauth {
namespace {

constexpr std::string_view kBegin = "-----BEGIN ";
constexpr std::string_view kNewlineBegin = "\n-----BEGIN ";
constexpr std::string_view kNewlineEnd = "\n-----END ";
constexpr std::string_view kDashes = "-----";

struct PemBlock {
  std::string_view type;
  bool has_headers = false;
  std::string bytes;
};

// One line without its line ending and without trailing spaces and tabs, and what follows it.
std::pair<std::string_view, std::string_view> SplitLine(std::string_view data) {
  std::size_t end = data.find('\n');
  std::size_t next = end;
  if (end == std::string_view::npos) {
    end = next = data.size();
  } else {
    next = end + 1;
    if (end > 0 && data[end - 1] == '\r') --end;
  }
  std::string_view line = data.substr(0, end);
  while (!line.empty() && (line.back() == ' ' || line.back() == '\t')) line.remove_suffix(1);
  return {line, data.substr(next)};
}

int Base64Value(char c) {
  if (c >= 'A' && c <= 'Z') return c - 'A';
  if (c >= 'a' && c <= 'z') return c - 'a' + 26;
  if (c >= '0' && c <= '9') return c - '0' + 52;
  if (c == '+') return 62;
  if (c == '/') return 63;
  return -1;
}

// Standard padded base64 as Go's base64.StdEncoding decodes it: line breaks are skipped, any
// other stray character, a missing pad or data after the pad is an error.
std::optional<std::string> DecodeBase64(std::string_view text) {
  std::string symbols;
  for (char c : text) {
    if (c != '\r' && c != '\n') symbols += c;
  }
  if (symbols.size() % 4 != 0) return std::nullopt;
  std::string out;
  for (std::size_t i = 0; i < symbols.size(); i += 4) {
    const bool last = i + 4 == symbols.size();
    std::size_t padding = 0;
    if (last && symbols[i + 3] == '=') padding = symbols[i + 2] == '=' ? 2 : 1;
    std::uint32_t quantum = 0;
    for (std::size_t j = 0; j < 4; ++j) {
      const int value = j < 4 - padding ? Base64Value(symbols[i + j]) : 0;
      if (value < 0) return std::nullopt;
      quantum = quantum << 6 | static_cast<std::uint32_t>(value);
    }
    out += static_cast<char>(quantum >> 16);
    if (padding < 2) out += static_cast<char>(quantum >> 8 & 0xFF);
    if (padding < 1) out += static_cast<char>(quantum & 0xFF);
  }
  return out;
}

// The next PEM block in `rest`, advancing it, with Go's encoding/pem rules: a block starts at
// "-----BEGIN <type>-----" at the start of the data or of a line; "Key: value" lines after it are
// headers; it ends at a line "-----END <type>-----" (nothing but blanks after it). A block that
// breaks a rule is skipped and the search goes on after its BEGIN line. Nullopt: no more blocks.
std::optional<PemBlock> NextPemBlock(std::string_view& rest) {
  while (true) {
    if (rest.starts_with(kBegin)) {
      rest.remove_prefix(kBegin.size());
    } else if (std::size_t at = rest.find(kNewlineBegin); at != std::string_view::npos) {
      rest.remove_prefix(at + kNewlineBegin.size());
    } else {
      return std::nullopt;
    }

    auto [type_line, after_type] = SplitLine(rest);
    rest = after_type;
    if (!type_line.ends_with(kDashes)) continue;
    PemBlock block;
    block.type = type_line.substr(0, type_line.size() - kDashes.size());

    while (true) {
      if (rest.empty()) return std::nullopt;  // Go gives up on the whole input here
      auto [line, next] = SplitLine(rest);
      if (line.find(':') == std::string_view::npos) break;
      block.has_headers = true;
      rest = next;
    }

    std::size_t end = 0;
    std::size_t trailer = 0;
    if (!block.has_headers && rest.starts_with(kNewlineEnd.substr(1))) {
      trailer = kNewlineEnd.size() - 1;
    } else {
      end = rest.find(kNewlineEnd);
      if (end == std::string_view::npos) continue;
      trailer = end + kNewlineEnd.size();
    }
    std::string_view end_line = rest.substr(trailer);
    const std::size_t end_marker_size = block.type.size() + kDashes.size();
    if (end_line.size() < end_marker_size) continue;
    const std::string_view end_marker = end_line.substr(0, end_marker_size);
    if (!end_marker.starts_with(block.type) || !end_marker.ends_with(kDashes)) continue;
    if (!SplitLine(end_line.substr(end_marker_size)).first.empty()) continue;

    std::string base64;
    for (char c : rest.substr(0, end)) {
      if (c != ' ' && c != '\t') base64 += c;
    }
    std::optional<std::string> bytes = DecodeBase64(base64);
    if (!bytes) continue;
    block.bytes = std::move(*bytes);
    rest = SplitLine(rest.substr(end + kNewlineEnd.size() - 1)).second;
    return block;
  }
}

std::string LoadError(std::string_view name, std::string_view reason) {
  return "error loading CA bundle for " + GoQuote(name) + ": " + std::string(reason);
}

// Go's errno texts are strerror's with a lower-case first letter.
std::string OsReason(int error) {
  std::string reason = std::system_category().message(error);
  if (!reason.empty()) {
    reason[0] = static_cast<char>(std::tolower(static_cast<unsigned char>(reason[0])));
  }
  return reason;
}

class StaticCaBundleProvider final : public CaBundleProvider {
 public:
  explicit StaticCaBundleProvider(std::shared_ptr<const CaBundle> bundle)
      : bundle_(std::move(bundle)) {}
  std::shared_ptr<const CaBundle> Current() const override { return bundle_; }

 private:
  const std::shared_ptr<const CaBundle> bundle_;
};

}  // namespace

Result<std::shared_ptr<const CaBundle>> CaBundle::FromPem(std::string_view pem,
                                                          std::string_view name) {
  if (pem.empty()) return Error{"missing content for CA bundle " + GoQuote(name)};

  // Certificates that fail to parse leave entries on the thread's OpenSSL error queue.
  const x509_internal::OpenSslErrorMark mark;
  std::shared_ptr<CaBundle> bundle(new CaBundle());
  bundle->pem_ = std::string(pem);
  std::string_view rest = bundle->pem_;
  while (std::optional<PemBlock> block = NextPemBlock(rest)) {
    if (block->type != "CERTIFICATE" || block->has_headers) continue;
    const auto* der = reinterpret_cast<const unsigned char*>(block->bytes.data());
    const unsigned char* cursor = der;
    X509* cert = d2i_X509(nullptr, &cursor, static_cast<long>(block->bytes.size()));
    if (cert == nullptr) return Error{LoadError(name, "x509: malformed certificate")};
    bundle->certificates_.push_back(cert);  // owned from here, even on error
    if (cursor != der + block->bytes.size()) return Error{LoadError(name, "x509: trailing data")};
    // Fill OpenSSL's extension cache now, so concurrent verifications only ever read it.
    X509_check_purpose(cert, -1, 0);
  }
  if (bundle->certificates_.empty()) {
    return Error{LoadError(name, "data does not contain any valid RSA or ECDSA certificates")};
  }

  bundle->store_ = X509_STORE_new();
  if (bundle->store_ == nullptr) return Error{LoadError(name, "out of memory")};
  x509_internal::UseGoIssuerLookup(bundle->store_);
  for (X509* cert : bundle->certificates_) {
    if (X509_STORE_add_cert(bundle->store_, cert) != 1) {
      return Error{LoadError(name, "cannot add a certificate to the trust store")};
    }
  }
  return std::shared_ptr<const CaBundle>(std::move(bundle));
}

Result<std::shared_ptr<const CaBundle>> CaBundle::LoadFile(const std::string& path,
                                                           std::string_view purpose) {
  if (path.empty()) return Error{"missing filename for ca bundle"};
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return Error{"open " + path + ": " + OsReason(errno)};
  std::string contents;
  std::array<char, 16384> buffer;
  while (true) {
    const ssize_t n = ::read(fd, buffer.data(), buffer.size());
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) {
      const int error = errno;
      ::close(fd);
      return Error{"read " + path + ": " + OsReason(error)};
    }
    if (n == 0) break;
    contents.append(buffer.data(), static_cast<std::size_t>(n));
  }
  ::close(fd);
  return FromPem(contents, std::string(purpose) + "::" + path);
}

CaBundle::~CaBundle() {
  X509_STORE_free(store_);
  for (X509* cert : certificates_) X509_free(cert);
}

std::shared_ptr<const CaBundleProvider> NewStaticCaBundleProvider(
    std::shared_ptr<const CaBundle> bundle) {
  return std::make_shared<StaticCaBundleProvider>(std::move(bundle));
}

}  // namespace kauth
