// TokenFile: the static token file of --token-auth-file (R2), parsed once into an immutable,
// shareable table, and the token authenticator that looks tokens up in it.
//
// Tokens are never kept in plaintext: the table is keyed by the SHA-256 of each token, and a
// lookup compares digests in constant time, so lookup timing reveals nothing about the contents
// of a token (a deliberate difference from R2.4's byte comparison; see docs/deviations.md).
#ifndef KAUTH_TOKEN_FILE_H_
#define KAUTH_TOKEN_FILE_H_

#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "kauth/authenticator.h"
#include "kauth/error.h"
#include "kauth/user.h"

namespace kauth {

class TokenFile {
 public:
  struct Entry {
    std::string token;
    UserInfo user;
  };

  // Parses `contents` with Go encoding/csv's dialect (R2.2) and the row rules of R2.3. `path`
  // only names the file in messages. On failure the message is
  // "--token-auth-file=<path>: line <N>: <Kubernetes' text verbatim>".
  static Result<std::shared_ptr<const TokenFile>> Parse(std::string_view contents,
                                                        std::string_view path);
  // Reads and parses the file at `path`. An unreadable file gives
  // "--token-auth-file=<path>: open <path>: <OS error text, as Go prints it>".
  static Result<std::shared_ptr<const TokenFile>> Load(const std::string& path);
  // A table built from entries (the loopback token, tests); later entries win, as in R2.3.
  static std::shared_ptr<const TokenFile> FromEntries(std::vector<Entry> entries);

  ~TokenFile();
  TokenFile(const TokenFile&) = delete;
  TokenFile& operator=(const TokenFile&) = delete;

  // The user for `token`, or nullptr when the token is not in the table. Thread-safe.
  const UserInfo* Find(std::string_view token) const;
  // The number of distinct tokens.
  std::size_t size() const;
  // R2.3's warnings (empty and duplicate tokens), Kubernetes' text verbatim, in file order.
  const std::vector<std::string>& warnings() const;

 private:
  struct Table;
  explicit TokenFile(std::unique_ptr<Table> table);

  std::unique_ptr<Table> table_;
};

// R2.4: AUTH with no audiences for a known token, NotApplicable otherwise. kube-apiserver wraps
// it audience-agnostic (R1.5); BuildChain does the same.
std::unique_ptr<TokenAuthenticator> NewTokenFileAuthenticator(
    std::shared_ptr<const TokenFile> file);

}  // namespace kauth

#endif  // KAUTH_TOKEN_FILE_H_
