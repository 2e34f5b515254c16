#include "token/hash_token_command.h"

#include <string_view>
#include <system_error>

#include "kauth/token_file.h"
#include "token/token_file_read.h"

namespace kauth {

Result<std::string> HashTokenFromDescriptor(int fd) {
  SecretBuffer input;
  if (const int err = ReadAllFromDescriptor(fd, input.get()); err != 0) {
    return Error{"reading the token from standard input: " + std::system_category().message(err)};
  }
  std::string_view token = input.get();
  if (token.ends_with('\n')) {
    token.remove_suffix(1);
    if (token.ends_with('\r')) token.remove_suffix(1);
  }
  if (token.empty()) return Error{"no token on standard input"};
  if (token.find_first_of("\r\n") != std::string_view::npos) {
    return Error{"the token contains a line break"};
  }
  // Error converts from a string too, hence the explicit tag.
  return Result<std::string>(boost::system::in_place_value, HashedTokenColumn(token));
}

}  // namespace kauth
