// TokenFile: the static token file of --token-auth-file (R2), parsed once into an immutable,
// shareable table, and the token authenticator that looks tokens up in it.
//
// Tokens are never kept in plaintext: the table is keyed by the SHA-256 of each token, and a
// lookup compares digests in constant time, so lookup timing reveals nothing about the contents
// of a token (a deliberate difference from R2.4's byte comparison; see docs/deviations.md).
//
// Users are stored compactly (names and uids in one byte arena, identical group lists once), so
// a lookup builds the UserInfo it returns: a million tokens fit in well under 100 MiB.
//
// Thread-safety: a TokenFile is immutable after Parse/Load/FromEntries; share it freely as
// shared_ptr<const TokenFile>. A TokenFileProvider hands out the table in force, so a reload
// (ReloadableTokenFile) can swap it while requests are in flight.
#ifndef KAUTH_TOKEN_FILE_H_
#define KAUTH_TOKEN_FILE_H_

#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "kauth/authenticator.h"
#include "kauth/error.h"
#include "kauth/user.h"

namespace kauth {

struct TokenFileOptions {
  // --token-auth-file-hashed (beyond Kubernetes, off by default). When true, a token column of
  // the form "sha256:<64 lower-case hex digits>" is the SHA-256 of the token, not the token; any
  // other token column that starts with "sha256:" is a parse error. When false, such a column is
  // a plain token, as in Kubernetes.
  bool hashed_tokens = false;
};

class TokenFile {
 public:
  struct Entry {
    std::string token;
    UserInfo user;
  };

  // Parses `contents` with Go encoding/csv's dialect (R2.2) and the row rules of R2.3. `path`
  // only names the file in messages. On failure the message is
  // "--token-auth-file=<path>: line <N>: <Kubernetes' text verbatim>", or for a malformed hashed
  // token column (options.hashed_tokens only) "--token-auth-file=<path>: line <N>: token column
  // starting with "sha256:" must be "sha256:" followed by 64 lower-case hex digits". Messages
  // never contain a token.
  static Result<std::shared_ptr<const TokenFile>> Parse(std::string_view contents,
                                                        std::string_view path,
                                                        const TokenFileOptions& options = {});
  // Reads and parses the file at `path`. An unreadable file gives
  // "--token-auth-file=<path>: open <path>: <OS error text, as Go prints it>".
  static Result<std::shared_ptr<const TokenFile>> Load(const std::string& path,
                                                       const TokenFileOptions& options = {});
  // A table built from entries (the loopback token, tests); later entries win, as in R2.3.
  static std::shared_ptr<const TokenFile> FromEntries(std::vector<Entry> entries);

  ~TokenFile();
  TokenFile(const TokenFile&) = delete;
  TokenFile& operator=(const TokenFile&) = delete;

  // The user for `token`, or nullopt when the token is not in the table. Thread-safe.
  std::optional<UserInfo> Find(std::string_view token) const;
  // The number of distinct tokens.
  std::size_t size() const;
  // R2.3's warnings (empty and duplicate tokens), Kubernetes' text verbatim, in file order.
  const std::vector<std::string>& warnings() const;

 private:
  struct Table;
  explicit TokenFile(std::unique_ptr<Table> table);

  std::unique_ptr<Table> table_;
};

// "sha256:<64 lower-case hex>" of `token`: the token column that --token-auth-file-hashed
// accepts in place of the token (what `kauthd hash-token` prints).
std::string HashedTokenColumn(std::string_view token);

// Hands out the token table in force. Thread-safe.
class TokenFileProvider {
 public:
  virtual ~TokenFileProvider() = default;
  // Never nullptr.
  virtual std::shared_ptr<const TokenFile> Current() const = 0;
};

// R2.4: AUTH with no audiences for a known token, NotApplicable otherwise. kube-apiserver wraps
// it audience-agnostic (R1.5); BuildChain does the same.
std::unique_ptr<TokenAuthenticator> NewTokenFileAuthenticator(
    std::shared_ptr<const TokenFile> file);
// The same over a provider: every lookup reads the provider's current table once, so a request
// sees either the old table or the new one, never a mix.
std::unique_ptr<TokenAuthenticator> NewTokenFileAuthenticator(
    std::shared_ptr<const TokenFileProvider> provider);

}  // namespace kauth

#endif  // KAUTH_TOKEN_FILE_H_
