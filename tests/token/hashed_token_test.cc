// --token-auth-file-hashed (beyond Kubernetes) and `kauthd hash-token`.
#include <gtest/gtest.h>
#include <unistd.h>

#include <optional>
#include <string>
#include <string_view>

#include "kauth/token_file.h"
#include "token/hash_token_command.h"

namespace kauth {
namespace {

constexpr char kPath[] = "/etc/kubernetes/tokens.csv";
// SHA-256("secret-token").
constexpr char kSecretHash[] =
    "sha256:930bbdc51b6aed5c2a5678fd6e28dee7a05e8a4b643cfc0b4427c3efb86c0d94";

const TokenFileOptions kHashed{.hashed_tokens = true};

std::string ParseError(std::string_view contents, const TokenFileOptions& options) {
  auto parsed = TokenFile::Parse(contents, kPath, options);
  return parsed.has_error() ? parsed.error().message : "<parsed>";
}

TEST(HashedTokenColumnTest, IsSha256InLowerCaseHex) {
  EXPECT_EQ(HashedTokenColumn("secret-token"), kSecretHash);
  EXPECT_EQ(HashedTokenColumn(""),
            "sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
}

TEST(HashedTokenFileTest, HashedColumnMatchesTheTokenAndPlainRowsStayPlain) {
  const std::string contents = std::string(kSecretHash) + ",alice,1,dev\nplain,bob,2\n";
  auto parsed = TokenFile::Parse(contents, kPath, kHashed);
  ASSERT_TRUE(parsed.has_value()) << parsed.error().message;
  const auto& file = *parsed;
  EXPECT_EQ(file->size(), 2u);
  EXPECT_EQ(file->Find("secret-token"), (UserInfo{.name = "alice", .uid = "1", .groups = {"dev"}}));
  EXPECT_EQ(file->Find("plain"), (UserInfo{.name = "bob", .uid = "2"}));
  // The column itself is not a token.
  EXPECT_FALSE(file->Find(kSecretHash).has_value());
}

TEST(HashedTokenFileTest, HashedAndPlainFormsOfOneTokenAreDuplicates) {
  const std::string contents = std::string(kSecretHash) + ",alice,1\nsecret-token,bob,2\n";
  auto parsed = TokenFile::Parse(contents, kPath, kHashed);
  ASSERT_TRUE(parsed.has_value()) << parsed.error().message;
  EXPECT_EQ((*parsed)->Find("secret-token"), (UserInfo{.name = "bob", .uid = "2"}));
  EXPECT_EQ((*parsed)->warnings(),
            std::vector<std::string>{"duplicate token has been found in token file '" +
                                     std::string(kPath) + "', record number '2'"});
}

// Without the flag, Kubernetes' meaning: the column is the token, prefix and all.
TEST(HashedTokenFileTest, FlagOffKeepsThePrefixAsPartOfAPlainToken) {
  const std::string contents = std::string(kSecretHash) + ",alice,1\nsha256:XYZ,bob,2\n";
  auto parsed = TokenFile::Parse(contents, kPath);
  ASSERT_TRUE(parsed.has_value()) << parsed.error().message;
  EXPECT_EQ((*parsed)->Find(kSecretHash), (UserInfo{.name = "alice", .uid = "1"}));
  EXPECT_FALSE((*parsed)->Find("secret-token").has_value());
  EXPECT_EQ((*parsed)->Find("sha256:XYZ"), (UserInfo{.name = "bob", .uid = "2"}));
}

TEST(HashedTokenFileTest, MalformedHashedColumnsAreParseErrorsNamingFileAndLine) {
  const std::string want =
      "--token-auth-file=/etc/kubernetes/tokens.csv: line 2: token column starting with "
      "\"sha256:\" must be \"sha256:\" followed by 64 lower-case hex digits";
  const std::string upper =
      "sha256:930BBDC51B6AED5C2A5678FD6E28DEE7A05E8A4B643CFC0B4427C3EFB86C0D94";
  const std::string good_first_line = "ok,carol,3\n";
  struct Case {
    const char* name;
    std::string column;
  };
  const Case cases[] = {
      {"upper-case hex", upper},
      {"63 digits", std::string(kSecretHash).substr(0, 70)},
      {"65 digits", std::string(kSecretHash) + "0"},
      {"not hex", "sha256:" + std::string(64, 'g')},
      {"prefix alone", "sha256:"},
      {"plaintext token with the prefix", "sha256:my-secret"},
  };
  for (const auto& c : cases) {
    const std::string message = ParseError(good_first_line + c.column + ",alice,1\n", kHashed);
    EXPECT_EQ(message, want) << c.name;
    // Never echo the column: it may be a secret.
    if (c.column.size() > 7) {
      EXPECT_EQ(message.find(c.column.substr(7)), std::string::npos) << c.name;
    }
  }
}

// Reads the result of HashTokenFromDescriptor for `input` written to a pipe.
Result<std::string> HashFromPipe(std::string_view input) {
  int fds[2];
  EXPECT_EQ(::pipe(fds), 0);
  EXPECT_EQ(::write(fds[1], input.data(), input.size()), static_cast<ssize_t>(input.size()));
  ::close(fds[1]);
  auto result = HashTokenFromDescriptor(fds[0]);
  ::close(fds[0]);
  return result;
}

TEST(HashTokenCommandTest, HashesStandardInputWithoutOneTrailingLineBreak) {
  struct Case {
    const char* name;
    std::string input;
    std::string want;
  };
  const Case cases[] = {
      {"no line break", "secret-token", kSecretHash},
      {"echo's newline", "secret-token\n", kSecretHash},
      {"CRLF", "secret-token\r\n", kSecretHash},
      {"only one newline trimmed", "secret-token\n\n", "error: the token contains a line break"},
      {"inner newline", "a\nb", "error: the token contains a line break"},
      {"lone CR", "secret-token\r", "error: the token contains a line break"},
      {"spaces kept", " secret-token ", HashedTokenColumn(" secret-token ")},
      {"empty", "", "error: no token on standard input"},
      {"newline only", "\n", "error: no token on standard input"},
  };
  for (const auto& c : cases) {
    auto got = HashFromPipe(c.input);
    EXPECT_EQ(got.has_value() ? *got : "error: " + got.error().message, c.want) << c.name;
  }
}

}  // namespace
}  // namespace kauth
