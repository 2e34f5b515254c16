// Fuzzes the token file parser (R2.2, R2.3) with arbitrary bytes. Besides the sanitizers, it
// checks the table against an independent reading of the same records: every non-empty token of
// a well-formed file is found with the user of its last row, and a few tokens that are absent
// are not found.
#include <cstdint>
#include <cstdlib>
#include <map>
#include <optional>
#include <string>
#include <string_view>

#include "core/strings.h"
#include "kauth/token_file.h"
#include "token/csv_reader.h"

namespace {

void Check(bool ok) {
  if (!ok) std::abort();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view input(reinterpret_cast<const char*>(data), size);
  auto parsed = kauth::TokenFile::Parse(input, "fuzz.csv");

  // The reference: the reader's records with R2.3 applied by the simplest possible means.
  std::map<std::string, kauth::UserInfo> expected;
  bool well_formed = true;
  kauth::CsvReader reader(input);
  for (;;) {
    auto next = reader.Next();
    if (next.has_error()) {
      well_formed = false;
      break;
    }
    const kauth::CsvRecord* record = *next;
    if (record == nullptr) break;
    Check(!record->fields.empty() && record->line > 0);
    if (record->fields.size() < 3) {
      well_formed = false;
      break;
    }
    if (record->fields[0].empty()) continue;
    kauth::UserInfo user{.name = std::string(record->fields[1]),
                         .uid = std::string(record->fields[2])};
    if (record->fields.size() > 3) {
      for (std::string_view group : kauth::Split(record->fields[3], ',')) {
        user.groups.emplace_back(group);
      }
    }
    expected[std::string(record->fields[0])] = std::move(user);
  }

  Check(parsed.has_value() == well_formed);
  if (!parsed.has_value()) {
    Check(parsed.error().message.starts_with("--token-auth-file=fuzz.csv: line "));
    return 0;
  }
  const kauth::TokenFile& file = **parsed;
  Check(file.size() == expected.size());
  for (const auto& [token, user] : expected) {
    const std::optional<kauth::UserInfo> found = file.Find(token);
    Check(found.has_value() && *found == user);
    const std::string longer = token + "\x01";
    if (!expected.contains(longer)) Check(!file.Find(longer).has_value());
  }
  Check(!file.Find("").has_value());
  if (!expected.contains(std::string(input))) Check(!file.Find(input).has_value());
  return 0;
}
