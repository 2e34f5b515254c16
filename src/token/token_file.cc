#include "kauth/token_file.h"

#include <fcntl.h>
#include <openssl/crypto.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <bit>
#include <cassert>
#include <cerrno>
#include <cstdint>
#include <cstring>
#include <limits>
#include <system_error>

#include "core/strings.h"
#include "crypto/digest.h"
#include "token/csv_reader.h"

namespace kauth {

// Users live in one array and their digests in a parallel one; an open-addressing index of
// 32-bit positions finds them. Against an unordered_map this saves a heap node, its malloc
// header and a bucket pointer per token, which adds up at a million tokens.
struct TokenFile::Table {
  static constexpr std::uint32_t kEmpty = std::numeric_limits<std::uint32_t>::max();

  std::vector<Sha256Digest> digests;
  std::vector<UserInfo> users;
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

  // Returns false when the token was already present; its user is then replaced (R2.3.5).
  bool Insert(const Sha256Digest& digest, UserInfo user) {
    if (2 * (digests.size() + 1) > slots.size()) {
      Rehash(std::max<std::size_t>(16, 2 * slots.size()));
    }
    std::size_t at = Home(digest);
    while (slots[at] != kEmpty) {
      // The table is built from configuration, not from a request, so a plain comparison is
      // fine here; Find is the one that sees presented tokens.
      if (digests[slots[at]] == digest) {
        users[slots[at]] = std::move(user);
        return false;
      }
      at = (at + 1) & Mask();
    }
    assert(digests.size() < kEmpty);
    slots[at] = static_cast<std::uint32_t>(digests.size());
    digests.push_back(digest);
    users.push_back(std::move(user));
    return true;
  }

  // Gives back what an overestimate in Reserve took.
  void Finish() {
    if (users.capacity() > users.size() + users.size() / 4) {
      digests.shrink_to_fit();
      users.shrink_to_fit();
    }
    const std::size_t fitting = std::bit_ceil(std::max<std::size_t>(16, 2 * digests.size()));
    if (slots.size() > 2 * fitting) Rehash(fitting);
  }
};

namespace {

constexpr std::string_view kFlag = "--token-auth-file=";

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

// Go prints an errno with its own table, which is glibc's text with a lower-case first letter
// unless the first word is an acronym.
std::string GoErrnoText(int err) {
  std::string text = std::system_category().message(err);
  if (text.size() >= 2 && text[0] >= 'A' && text[0] <= 'Z' && text[1] >= 'a' && text[1] <= 'z') {
    text[0] = static_cast<char>(text[0] - 'A' + 'a');
  }
  return text;
}

Error OsError(const std::string& path, std::string_view op, int err) {
  std::string message(kFlag);
  message += path;
  message += ": ";
  message += op;
  message += ' ';
  message += path;
  message += ": ";
  message += GoErrnoText(err);
  return Error{std::move(message)};
}

// Wipes the file's bytes when the parse is done: they hold every token in plaintext.
class SecretBuffer {
 public:
  SecretBuffer() = default;
  ~SecretBuffer() {
    data_.resize(data_.capacity());
    OPENSSL_cleanse(data_.data(), data_.size());
  }
  SecretBuffer(const SecretBuffer&) = delete;
  SecretBuffer& operator=(const SecretBuffer&) = delete;
  std::string& get() { return data_; }

 private:
  std::string data_;
};

class FileDescriptor {
 public:
  explicit FileDescriptor(int fd) : fd_(fd) {}
  ~FileDescriptor() {
    if (fd_ >= 0) ::close(fd_);
  }
  FileDescriptor(const FileDescriptor&) = delete;
  FileDescriptor& operator=(const FileDescriptor&) = delete;
  int get() const { return fd_; }

 private:
  int fd_;
};

// Reads all of `fd`; returns 0 or the errno of the failed read.
int ReadAll(int fd, std::string& out) {
  struct stat info {};
  std::size_t capacity = 64 * 1024;
  if (::fstat(fd, &info) == 0 && S_ISREG(info.st_mode) && info.st_size > 0) {
    capacity = static_cast<std::size_t>(info.st_size) + 1;
  }
  out.resize(capacity);
  std::size_t size = 0;
  for (;;) {
    if (size == out.size()) {
      // Grown by hand: resize() would free the old buffer with the tokens read so far still in
      // it (files that are not regular, e.g. a pipe, have no size to allocate up front).
      std::string bigger(out.size() * 2, '\0');
      std::memcpy(bigger.data(), out.data(), size);
      OPENSSL_cleanse(out.data(), out.size());
      out.swap(bigger);
    }
    const ssize_t n = ::read(fd, out.data() + size, out.size() - size);
    if (n < 0) {
      if (errno == EINTR) continue;
      const int err = errno;
      out.resize(size);
      return err;
    }
    if (n == 0) break;
    size += static_cast<std::size_t>(n);
  }
  out.resize(size);
  return 0;
}

class TokenFileAuthenticator final : public TokenAuthenticator {
 public:
  explicit TokenFileAuthenticator(std::shared_ptr<const TokenFile> file) : file_(std::move(file)) {
    assert(file_ != nullptr);
  }

  bool CompletesInline() const override { return true; }

  Awaitable<AuthResult> AuthenticateToken(std::string_view token,
                                          AuthContext& /*ctx*/) const override {
    const UserInfo* user = file_->Find(token);
    if (user == nullptr) co_return AuthResult::NotApplicable();
    co_return AuthResult::Authenticated({*user, {}});
  }

 private:
  std::shared_ptr<const TokenFile> file_;
};

}  // namespace

TokenFile::TokenFile(std::unique_ptr<Table> table) : table_(std::move(table)) {}

TokenFile::~TokenFile() = default;

Result<std::shared_ptr<const TokenFile>> TokenFile::Parse(std::string_view contents,
                                                          std::string_view path) {
  auto table = std::make_unique<Table>();
  table->Reserve(EstimateRecords(contents));

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

    UserInfo user{.name = std::string(fields[1]), .uid = std::string(fields[2])};
    if (fields.size() >= 4) {
      const std::vector<std::string_view> groups = Split(fields[3], ',');
      user.groups.assign(groups.begin(), groups.end());
    }
    if (!table->Insert(Sha256(fields[0]), std::move(user))) {
      std::string warning = "duplicate token has been found in token file '";
      warning += path;
      warning += "', record number '" + std::to_string(record_number) + "'";
      table->warnings.push_back(std::move(warning));
    }
  }
  table->Finish();
  return std::shared_ptr<const TokenFile>(new TokenFile(std::move(table)));
}

Result<std::shared_ptr<const TokenFile>> TokenFile::Load(const std::string& path) {
  int fd;
  do {
    fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  } while (fd < 0 && errno == EINTR);
  if (fd < 0) return OsError(path, "open", errno);
  FileDescriptor file(fd);

  SecretBuffer contents;
  // Like Go, a directory opens and then fails on the first read, with EISDIR.
  if (const int err = ReadAll(file.get(), contents.get()); err != 0) {
    return OsError(path, "read", err);
  }
  return Parse(contents.get(), path);
}

std::shared_ptr<const TokenFile> TokenFile::FromEntries(std::vector<Entry> entries) {
  auto table = std::make_unique<Table>();
  table->Reserve(entries.size());
  for (Entry& entry : entries) {
    // Go's tokenfile.New would keep an empty token; no caller wants one to authenticate, and
    // the file parser never admits one (R2.3.3).
    if (entry.token.empty()) continue;
    table->Insert(Sha256(entry.token), std::move(entry.user));
    OPENSSL_cleanse(entry.token.data(), entry.token.size());
  }
  table->Finish();
  return std::shared_ptr<const TokenFile>(new TokenFile(std::move(table)));
}

const UserInfo* TokenFile::Find(std::string_view token) const {
  const Table& table = *table_;
  const Sha256Digest digest = Sha256(token);
  std::size_t at = table.Home(digest);
  while (table.slots[at] != Table::kEmpty) {
    const std::uint32_t index = table.slots[at];
    if (ConstantTimeEquals(table.digests[index], digest)) return &table.users[index];
    at = (at + 1) & table.Mask();
  }
  return nullptr;
}

std::size_t TokenFile::size() const { return table_->digests.size(); }

const std::vector<std::string>& TokenFile::warnings() const { return table_->warnings; }

std::unique_ptr<TokenAuthenticator> NewTokenFileAuthenticator(
    std::shared_ptr<const TokenFile> file) {
  return std::make_unique<TokenFileAuthenticator>(std::move(file));
}

}  // namespace kauth
