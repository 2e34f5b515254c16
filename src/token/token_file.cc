#include "kauth/token_file.h"

#include <openssl/crypto.h>

#include <algorithm>
#include <bit>
#include <cassert>
#include <cstdint>
#include <functional>
#include <limits>
#include <optional>
#include <unordered_map>

#include "core/strings.h"
#include "crypto/digest.h"
#include "token/csv_reader.h"
#include "token/token_file_read.h"

namespace kauth {

// Digests live in one array and compact user records in a parallel one; an open-addressing
// index of 32-bit positions finds them. Names and uids sit back to back in one byte arena and
// each distinct group list is stored once (token files repeat a handful of group lists across
// all users). Against a UserInfo per token (136 bytes of string, vector and map headers, plus a
// heap block per group list) this brings a million-token table from ~220 MiB to ~80 MiB; the
// price is that Find builds the UserInfo it returns, which the authenticator copied anyway.
struct TokenFile::Table {
  static constexpr std::uint32_t kEmpty = std::numeric_limits<std::uint32_t>::max();
  static constexpr std::uint32_t kNoExtra = std::numeric_limits<std::uint32_t>::max();

  struct User {
    std::uint64_t offset;  // of the name in `bytes`; the uid follows it
    std::uint32_t name_size;
    std::uint32_t uid_size;
    std::uint32_t groups;  // index into group_lists
    std::uint32_t extra;   // index into extras, or kNoExtra
  };

  std::vector<Sha256Digest> digests;
  std::vector<User> users;
  std::string bytes;
  // Index 0 is the empty list (rows with three fields).
  std::vector<std::vector<std::string>> group_lists{{}};
  // Only FromEntries can give a user extras; token files cannot.
  std::vector<Extra> extras;
  // Power-of-two size, at most half full, so that a probe for a missing token ends soon.
  std::vector<std::uint32_t> slots;
  std::vector<std::string> warnings;

  std::size_t Mask() const { return slots.size() - 1; }
  // SHA-256 output is uniform, so its low bits are as good a slot as any.
  std::size_t Home(const Sha256Digest& digest) const {
    const std::size_t hash = DigestHash{}(digest);
    return hash & Mask();
  }

  void Reserve(std::size_t expected) {
    digests.reserve(expected);
    users.reserve(expected);
    Rehash(std::bit_ceil(std::max<std::size_t>(16, 2 * expected)));
  }

  void Rehash(std::size_t capacity) {
    slots.assign(capacity, kEmpty);
    for (std::size_t i = 0; i < digests.size(); ++i) {
      std::size_t at = Home(digests[i]);
      while (slots[at] != kEmpty) at = (at + 1) & Mask();
      slots[at] = static_cast<std::uint32_t>(i);
    }
  }

  User MakeUser(std::string_view name, std::string_view uid, std::uint32_t groups,
                std::uint32_t extra) {
    User user{.offset = bytes.size(),
              .name_size = static_cast<std::uint32_t>(name.size()),
              .uid_size = static_cast<std::uint32_t>(uid.size()),
              .groups = groups,
              .extra = extra};
    bytes.append(name);
    bytes.append(uid);
    return user;
  }

  // Returns false when the token was already present; its user is then replaced (R2.3.5). The
  // replaced user's bytes stay in the arena: duplicates are rare and warned about.
  bool Insert(const Sha256Digest& digest, const User& user) {
    if (2 * (digests.size() + 1) > slots.size()) {
      Rehash(std::max<std::size_t>(16, 2 * slots.size()));
    }
    std::size_t at = Home(digest);
    while (slots[at] != kEmpty) {
      // The table is built from configuration, not from a request, so a plain comparison is
      // fine here; Find is the one that sees presented tokens.
      if (digests[slots[at]] == digest) {
        users[slots[at]] = user;
        return false;
      }
      at = (at + 1) & Mask();
    }
    assert(digests.size() < kEmpty);
    slots[at] = static_cast<std::uint32_t>(digests.size());
    digests.push_back(digest);
    users.push_back(user);
    return true;
  }

  UserInfo Materialize(std::uint32_t index) const {
    const User& user = users[index];
    const std::string_view all(bytes);
    UserInfo info{.name = std::string(all.substr(user.offset, user.name_size)),
                  .uid = std::string(all.substr(user.offset + user.name_size, user.uid_size)),
                  .groups = group_lists[user.groups]};
    if (user.extra != kNoExtra) info.extra = extras[user.extra];
    return info;
  }

  // Gives back what an overestimate in Reserve took.
  void Finish() {
    if (users.capacity() > users.size() + users.size() / 4) {
      digests.shrink_to_fit();
      users.shrink_to_fit();
    }
    bytes.shrink_to_fit();
    const std::size_t fitting = std::bit_ceil(std::max<std::size_t>(16, 2 * digests.size()));
    if (slots.size() > 2 * fitting) Rehash(fitting);
  }
};

namespace {

constexpr std::string_view kFlag = "--token-auth-file=";
constexpr std::string_view kHashedPrefix = "sha256:";
// User records hold 32-bit sizes.
constexpr std::size_t kMaxFieldSize = std::numeric_limits<std::uint32_t>::max();

Error FatalAt(std::string_view path, std::size_t line, std::string_view text) {
  std::string message(kFlag);
  message += path;
  message += ": line ";
  message += std::to_string(line);
  message += ": ";
  message += text;
  return Error{std::move(message)};
}

// An upper bound on the records in `contents`, to size the table once: a record needs a
// non-empty line and at least two commas plus a separator.
std::size_t EstimateRecords(std::string_view contents) {
  std::size_t lines = 0;
  std::size_t begin = 0;
  while (begin < contents.size()) {
    std::size_t end = contents.find('\n', begin);
    if (end == std::string_view::npos) end = contents.size();
    const std::size_t length = end - begin;
    if (length > 1 || (length == 1 && contents[begin] != '\r')) ++lines;
    begin = end + 1;
  }
  return std::min(lines, contents.size() / 3 + 1);
}

class TokenFileAuthenticator final : public InlineTokenAuthenticator {
 public:
  explicit TokenFileAuthenticator(std::shared_ptr<const TokenFile> file) : file_(std::move(file)) {
    assert(file_ != nullptr);
  }

  AuthResult AuthenticateTokenInline(std::string_view token, AuthContext& /*ctx*/) const override {
    std::optional<UserInfo> user = file_->Find(token);
    if (!user) return AuthResult::NotApplicable();
    return AuthResult::Authenticated({std::move(*user), {}});
  }

 private:
  std::shared_ptr<const TokenFile> file_;
};

class ProvidedTokenFileAuthenticator final : public InlineTokenAuthenticator {
 public:
  explicit ProvidedTokenFileAuthenticator(std::shared_ptr<const TokenFileProvider> provider)
      : provider_(std::move(provider)) {
    assert(provider_ != nullptr);
  }

  AuthResult AuthenticateTokenInline(std::string_view token, AuthContext& /*ctx*/) const override {
    // One read of the provider per lookup: a concurrent swap gives this request one whole table.
    const std::shared_ptr<const TokenFile> file = provider_->Current();
    std::optional<UserInfo> user = file->Find(token);
    if (!user) return AuthResult::NotApplicable();
    return AuthResult::Authenticated({std::move(*user), {}});
  }

 private:
  std::shared_ptr<const TokenFileProvider> provider_;
};

// Decodes the 64 lower-case hex digits after "sha256:"; nullopt for anything else.
std::optional<Sha256Digest> DecodeHashedColumn(std::string_view hex) {
  Sha256Digest digest{};
  if (hex.size() != 2 * digest.size()) return std::nullopt;
  const auto nibble = [](char c) -> int {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    return -1;
  };
  for (std::size_t i = 0; i < digest.size(); ++i) {
    const int high = nibble(hex[2 * i]);
    const int low = nibble(hex[2 * i + 1]);
    if (high < 0 || low < 0) return std::nullopt;
    digest[i] = static_cast<std::uint8_t>(high << 4 | low);
  }
  return digest;
}

// Heterogeneous lookup, so that interning a group field does not allocate when it is known.
struct StringHash {
  using is_transparent = void;
  std::size_t operator()(std::string_view text) const noexcept {
    return std::hash<std::string_view>{}(text);
  }
};

}  // namespace

TokenFile::TokenFile(std::unique_ptr<Table> table) : table_(std::move(table)) {}

TokenFile::~TokenFile() = default;

Result<std::shared_ptr<const TokenFile>> TokenFile::Parse(std::string_view contents,
                                                          std::string_view path,
                                                          const TokenFileOptions& options) {
  auto table = std::make_unique<Table>();
  table->Reserve(EstimateRecords(contents));
  // Names and uids are taken from `contents`, so they fit in this; untouched pages of a large
  // reservation never become resident, and Finish trims it.
  table->bytes.reserve(contents.size());
  // Keyed by the raw group field: equal fields split into equal lists (R2.3.6).
  std::unordered_map<std::string, std::uint32_t, StringHash, std::equal_to<>> group_ids;

  CsvReader reader(contents);
  std::size_t record_number = 0;
  for (;;) {
    auto next = reader.Next();
    if (next.has_error()) return FatalAt(path, next.error().line, next.error().ToString());
    const CsvRecord* record = next.value();
    if (record == nullptr) break;
    const std::vector<std::string_view>& fields = record->fields;

    if (fields.size() < 3) {
      std::string text = "token file '";
      text += path;
      text += "' must have at least 3 columns (token, user name, user uid), found ";
      text += std::to_string(fields.size());
      return FatalAt(path, record->line, text);
    }
    ++record_number;
    if (fields[0].empty()) {
      std::string warning = "empty token has been found in token file '";
      warning += path;
      warning += "', record number '" + std::to_string(record_number) + "'";
      table->warnings.push_back(std::move(warning));
      continue;
    }
    if (fields[1].size() > kMaxFieldSize || fields[2].size() > kMaxFieldSize) {
      return FatalAt(path, record->line, "user name or uid longer than 4 GiB");
    }

    Sha256Digest digest;
    if (options.hashed_tokens && fields[0].starts_with(kHashedPrefix)) {
      std::optional<Sha256Digest> decoded =
          DecodeHashedColumn(fields[0].substr(kHashedPrefix.size()));
      // The column is not echoed: it may be a plaintext token that happens to have the prefix.
      if (!decoded) {
        return FatalAt(path, record->line,
                       "token column starting with \"sha256:\" must be \"sha256:\" followed by "
                       "64 lower-case hex digits");
      }
      digest = *decoded;
    } else {
      digest = Sha256(fields[0]);
    }

    std::uint32_t groups = 0;
    if (fields.size() >= 4) {
      const auto known = group_ids.find(fields[3]);
      if (known != group_ids.end()) {
        groups = known->second;
      } else {
        const std::vector<std::string_view> pieces = Split(fields[3], ',');
        groups = static_cast<std::uint32_t>(table->group_lists.size());
        table->group_lists.emplace_back(pieces.begin(), pieces.end());
        group_ids.emplace(std::string(fields[3]), groups);
      }
    }
    const Table::User user = table->MakeUser(fields[1], fields[2], groups, Table::kNoExtra);
    if (!table->Insert(digest, user)) {
      std::string warning = "duplicate token has been found in token file '";
      warning += path;
      warning += "', record number '" + std::to_string(record_number) + "'";
      table->warnings.push_back(std::move(warning));
    }
  }
  table->Finish();
  return std::shared_ptr<const TokenFile>(new TokenFile(std::move(table)));
}

Result<std::shared_ptr<const TokenFile>> TokenFile::Load(const std::string& path,
                                                         const TokenFileOptions& options) {
  SecretBuffer contents;
  if (auto read = ReadTokenFile(path, contents.get()); !read) return read.error();
  return Parse(contents.get(), path, options);
}

std::shared_ptr<const TokenFile> TokenFile::FromEntries(std::vector<Entry> entries) {
  auto table = std::make_unique<Table>();
  table->Reserve(entries.size());
  for (Entry& entry : entries) {
    // Go's tokenfile.New would keep an empty token; no caller wants one to authenticate, and
    // the file parser never admits one (R2.3.3).
    if (entry.token.empty()) continue;
    // Few entries come this way (the loopback token, tests): no interning.
    std::uint32_t groups = 0;
    if (!entry.user.groups.empty()) {
      groups = static_cast<std::uint32_t>(table->group_lists.size());
      table->group_lists.push_back(std::move(entry.user.groups));
    }
    std::uint32_t extra = Table::kNoExtra;
    if (!entry.user.extra.empty()) {
      extra = static_cast<std::uint32_t>(table->extras.size());
      table->extras.push_back(std::move(entry.user.extra));
    }
    assert(entry.user.name.size() <= kMaxFieldSize && entry.user.uid.size() <= kMaxFieldSize);
    table->Insert(Sha256(entry.token),
                  table->MakeUser(entry.user.name, entry.user.uid, groups, extra));
    OPENSSL_cleanse(entry.token.data(), entry.token.size());
  }
  table->Finish();
  return std::shared_ptr<const TokenFile>(new TokenFile(std::move(table)));
}

std::optional<UserInfo> TokenFile::Find(std::string_view token) const {
  const Table& table = *table_;
  const Sha256Digest digest = Sha256(token);
  std::size_t at = table.Home(digest);
  while (table.slots[at] != Table::kEmpty) {
    const std::uint32_t index = table.slots[at];
    if (ConstantTimeEquals(table.digests[index], digest)) return table.Materialize(index);
    at = (at + 1) & table.Mask();
  }
  return std::nullopt;
}

std::size_t TokenFile::size() const { return table_->digests.size(); }

const std::vector<std::string>& TokenFile::warnings() const { return table_->warnings; }

std::unique_ptr<TokenAuthenticator> NewTokenFileAuthenticator(
    std::shared_ptr<const TokenFile> file) {
  return std::make_unique<TokenFileAuthenticator>(std::move(file));
}

std::unique_ptr<TokenAuthenticator> NewTokenFileAuthenticator(
    std::shared_ptr<const TokenFileProvider> provider) {
  return std::make_unique<ProvidedTokenFileAuthenticator>(std::move(provider));
}

std::string HashedTokenColumn(std::string_view token) {
  const Sha256Digest digest = Sha256(token);
  return std::string(kHashedPrefix) + HexLower(digest);
}

}  // namespace kauth
