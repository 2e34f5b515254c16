// `kauthd hash-token`: turns a token read from standard input into the column value that
// --token-auth-file-hashed accepts, so that the file on disk holds no usable secret. The token
// comes from a descriptor, never from argv, which every local user can read in /proc.
#ifndef KAUTH_TOKEN_HASH_TOKEN_COMMAND_H_
#define KAUTH_TOKEN_HASH_TOKEN_COMMAND_H_

#include <string>

#include "kauth/error.h"

namespace kauth {

// Reads `fd` to its end, drops one trailing line break ("\n" or "\r\n", as `echo` or a here
// string add), and returns "sha256:<64 lower-case hex>" of what is left. Errors:
//   reading the token from standard input: <OS error>
//   no token on standard input
//   the token contains a line break          (it could never be sent in a header)
// The bytes read are wiped before returning.
Result<std::string> HashTokenFromDescriptor(int fd);

}  // namespace kauth

#endif  // KAUTH_TOKEN_HASH_TOKEN_COMMAND_H_
