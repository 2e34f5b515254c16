// Fuzzes the word-at-a-time header text checks of core/strings.h against byte-by-byte
// references: EqualsIgnoreCase (every header name comparison), StartsWithIgnoreCase, and
// ValidHeaderFieldValue (every value forwarded upstream, every identity header).
//
// Input: two texts separated by the first 0xff byte (or the input and its ASCII-upper-cased
// copy when there is none, so that equal names in different case are common).
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

#include "core/strings.h"

namespace {

void Check(bool ok) {
  if (!ok) std::abort();
}

char Lower(char c) { return c >= 'A' && c <= 'Z' ? static_cast<char>(c + 32) : c; }

bool EqualsIgnoreCaseReference(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i) {
    if (Lower(a[i]) != Lower(b[i])) return false;
  }
  return true;
}

bool ValidHeaderFieldValueReference(std::string_view value) {
  for (const char c : value) {
    const auto byte = static_cast<unsigned char>(c);
    if ((byte < 0x20 && byte != '\t') || byte == 0x7f) return false;
  }
  return true;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view input(reinterpret_cast<const char*>(data), size);
  std::string_view a = input;
  std::string b;
  if (const std::size_t split = input.find('\xff'); split != std::string_view::npos) {
    a = input.substr(0, split);
    b = std::string(input.substr(split + 1));
  } else {
    b = std::string(input);
    for (char& c : b) c = c >= 'a' && c <= 'z' ? static_cast<char>(c - 32) : c;
  }
  Check(kauth::EqualsIgnoreCase(a, b) == EqualsIgnoreCaseReference(a, b));
  Check(kauth::EqualsIgnoreCase(b, a) == EqualsIgnoreCaseReference(a, b));
  Check(kauth::EqualsIgnoreCase(a, a));
  Check(kauth::StartsWithIgnoreCase(a, b) ==
        (a.size() >= b.size() && EqualsIgnoreCaseReference(a.substr(0, b.size()), b)));
  Check(kauth::ValidHeaderFieldValue(a) == ValidHeaderFieldValueReference(a));
  Check(kauth::ValidHeaderFieldValue(b) == ValidHeaderFieldValueReference(b));
  return 0;
}
