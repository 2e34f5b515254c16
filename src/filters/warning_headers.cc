#include "filters/warning_headers.h"

#include <cstdint>
#include <set>
#include <string_view>

#include "core/go_format.h"

namespace kauth::filters {
namespace {

constexpr std::size_t kTruncateAtTotalRunes = 4 * 1024;
constexpr std::size_t kTruncateItemRunes = 256;

std::size_t RuneCount(std::string_view text) {
  std::size_t count = 0;
  for (std::size_t i = 0; i < text.size(); i += DecodeRune(text, i).size) ++count;
  return count;
}

// Go's string([]rune(text)[:n]): invalid bytes become U+FFFD on the way.
std::string TruncateRunes(std::string_view text, std::size_t runes) {
  std::string out;
  std::size_t i = 0;
  for (std::size_t n = 0; n < runes && i < text.size(); ++n) {
    const DecodedRune decoded = DecodeRune(text, i);
    AppendRune(out, decoded.rune);
    i += decoded.size;
  }
  return out;
}

// apimachinery's NewWarningHeader(299, "", text); empty when the text is not allowed.
std::string WarningHeader(std::string_view text) {
  std::string header = "299 - \"";
  for (std::size_t i = 0; i < text.size();) {
    const DecodedRune decoded = DecodeRune(text, i);
    const std::int32_t r = decoded.rune;
    if (r < 0 || r < 0x20 || (r >= 0x7F && r <= 0x9F)) return {};
    if (r == '"' || r == '\\') header.push_back('\\');
    header.append(text.substr(i, decoded.size));
    i += decoded.size;
  }
  header.push_back('"');
  return header;
}

}  // namespace

std::vector<std::string> WarningHeaderValues(const std::vector<std::string>& warnings) {
  std::vector<std::string> headers;
  std::set<std::string_view> recorded;
  std::vector<std::string_view> ordered;
  std::size_t written = 0;
  bool truncating = false;
  for (const std::string& warning : warnings) {
    const std::string_view original = warning;
    if (original.empty()) continue;
    if (truncating && written >= kTruncateAtTotalRunes) break;
    if (!recorded.insert(original).second) continue;
    ordered.push_back(original);

    std::string text(original);
    std::size_t runes = RuneCount(text);
    if (truncating && runes > kTruncateItemRunes) {
      text = TruncateRunes(text, kTruncateItemRunes);
      runes = kTruncateItemRunes;
    }
    const std::string header = WarningHeader(text);
    if (header.empty()) continue;
    if (written + runes <= kTruncateAtTotalRunes || truncating) {
      written += runes;
      headers.push_back(header);
      continue;
    }
    // Over the budget: switch to truncation mode and replay everything seen so far, cut short.
    truncating = true;
    written = 0;
    headers.clear();
    for (const std::string_view seen : ordered) {
      std::string item(seen);
      std::size_t item_runes = RuneCount(item);
      if (item_runes > kTruncateItemRunes) {
        item = TruncateRunes(item, kTruncateItemRunes);
        item_runes = kTruncateItemRunes;
      }
      std::string replayed = WarningHeader(item);
      if (replayed.empty()) continue;
      written += item_runes;
      headers.push_back(std::move(replayed));
    }
  }
  return headers;
}

}  // namespace kauth::filters
