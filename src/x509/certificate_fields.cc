#include "x509/certificate_fields.h"

#include <openssl/bn.h>
#include <openssl/crypto.h>
#include <openssl/objects.h>

#include <memory>

#include "core/strings.h"

namespace kauth::x509_internal {
namespace {

// Go's PrintableString alphabet, which also admits '*' and '&' for real-world certificates.
bool IsGoPrintable(unsigned char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
         (c >= '\'' && c <= ')') || (c >= '+' && c <= '/') || c == ' ' || c == ':' || c == '=' ||
         c == '?' || c == '*' || c == '&';
}

void AppendUtf8(std::string& out, char32_t r) {
  if (r < 0x80) {
    out += static_cast<char>(r);
  } else if (r < 0x800) {
    out += static_cast<char>(0xC0 | (r >> 6));
    out += static_cast<char>(0x80 | (r & 0x3F));
  } else {
    out += static_cast<char>(0xE0 | (r >> 12));
    out += static_cast<char>(0x80 | ((r >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (r & 0x3F));
  }
}

std::optional<std::string> DecodeBmpString(std::string_view bytes) {
  if (bytes.size() % 2 != 0) return std::nullopt;
  if (bytes.size() >= 2 && bytes[bytes.size() - 1] == '\0' && bytes[bytes.size() - 2] == '\0') {
    bytes.remove_suffix(2);  // a terminator, which Go strips
  }
  std::string out;
  for (std::size_t i = 0; i < bytes.size(); i += 2) {
    const char32_t unit = static_cast<char32_t>(static_cast<unsigned char>(bytes[i]) << 8 |
                                                static_cast<unsigned char>(bytes[i + 1]));
    // Go rejects surrogates and noncharacters, so every unit is a whole BMP code point.
    if (unit == 0xFFFE || unit == 0xFFFF || (unit >= 0xFDD0 && unit <= 0xFDEF) ||
        (unit >= 0xD800 && unit <= 0xDFFF)) {
      return std::nullopt;
    }
    AppendUtf8(out, unit);
  }
  return out;
}

}  // namespace

std::optional<std::string> GoAttributeString(const ASN1_STRING* value) {
  const std::string_view bytes(reinterpret_cast<const char*>(ASN1_STRING_get0_data(value)),
                               static_cast<std::size_t>(ASN1_STRING_length(value)));
  switch (ASN1_STRING_type(value)) {
    case V_ASN1_UTF8STRING:
      if (!IsValidUtf8(bytes)) return std::nullopt;
      return std::string(bytes);
    case V_ASN1_PRINTABLESTRING:
      for (char c : bytes) {
        if (!IsGoPrintable(static_cast<unsigned char>(c))) return std::nullopt;
      }
      return std::string(bytes);
    case V_ASN1_IA5STRING:
      for (char c : bytes) {
        if (static_cast<unsigned char>(c) >= 0x80) return std::nullopt;
      }
      return std::string(bytes);
    case V_ASN1_NUMERICSTRING:
      for (char c : bytes) {
        if (!(c == ' ' || (c >= '0' && c <= '9'))) return std::nullopt;
      }
      return std::string(bytes);
    case V_ASN1_T61STRING: {
      std::string out;
      for (char c : bytes) AppendUtf8(out, static_cast<unsigned char>(c));
      return out;
    }
    case V_ASN1_BMPSTRING:
      return DecodeBmpString(bytes);
    default:
      return std::nullopt;
  }
}

GoSubject ParseGoSubject(const X509_NAME* name) {
  GoSubject subject;
  const int count = X509_NAME_entry_count(name);
  for (int i = 0; i < count; ++i) {
    const X509_NAME_ENTRY* entry = X509_NAME_get_entry(name, i);
    const int nid = OBJ_obj2nid(X509_NAME_ENTRY_get_object(entry));
    if (nid != NID_commonName && nid != NID_organizationName) continue;
    std::optional<std::string> value = GoAttributeString(X509_NAME_ENTRY_get_data(entry));
    if (!value) continue;
    if (nid == NID_commonName) {
      subject.common_name = std::move(*value);
    } else {
      subject.organizations.push_back(std::move(*value));
    }
  }
  return subject;
}

std::string SerialDecimal(const X509* cert) {
  std::unique_ptr<BIGNUM, decltype(&BN_free)> bn(
      ASN1_INTEGER_to_BN(X509_get0_serialNumber(cert), nullptr), &BN_free);
  if (bn == nullptr) return "";
  char* text = BN_bn2dec(bn.get());
  if (text == nullptr) return "";
  std::string out(text);
  OPENSSL_free(text);
  return out;
}

std::string ColonHex(const ASN1_OCTET_STRING* id) {
  if (id == nullptr) return "";
  static constexpr char kDigits[] = "0123456789ABCDEF";
  const unsigned char* data = ASN1_STRING_get0_data(id);
  const int len = ASN1_STRING_length(id);
  std::string out;
  for (int i = 0; i < len; ++i) {
    if (i > 0) out += ':';
    out += kDigits[data[i] >> 4];
    out += kDigits[data[i] & 0xF];
  }
  return out;
}

std::optional<std::chrono::system_clock::time_point> ToTimePoint(const ASN1_TIME* time) {
  struct tm tm {};
  if (time == nullptr || ASN1_TIME_to_tm(time, &tm) != 1) return std::nullopt;
  using namespace std::chrono;
  const year_month_day date{year{tm.tm_year + 1900}, month{static_cast<unsigned>(tm.tm_mon + 1)},
                            day{static_cast<unsigned>(tm.tm_mday)}};
  return system_clock::time_point(sys_days{date} + hours{tm.tm_hour} + minutes{tm.tm_min} +
                                  seconds{tm.tm_sec});
}

std::string GoCertificateName(const X509* cert) {
  GoSubject subject = ParseGoSubject(X509_get_subject_name(cert));
  if (!subject.common_name.empty()) return subject.common_name;
  if (!subject.organizations.empty()) return subject.organizations.front();
  return "serial:" + SerialDecimal(cert);
}

std::string_view NameDer(const X509_NAME* name) {
  const unsigned char* der = nullptr;
  std::size_t len = 0;
  if (X509_NAME_get0_der(name, &der, &len) != 1) return {};
  return std::string_view(reinterpret_cast<const char*>(der), len);
}

}  // namespace kauth::x509_internal
