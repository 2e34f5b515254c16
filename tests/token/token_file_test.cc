#include "kauth/token_file.h"

#include <gtest/gtest.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "testing/fake_authenticators.h"
#include "testing/run_sync.h"

namespace kauth {
namespace {

using ::kauth::testing::Authed;
using ::kauth::testing::AuthenticateToken;
using Groups = std::vector<std::string>;

constexpr char kPath[] = "/etc/kubernetes/tokens.csv";

std::shared_ptr<const TokenFile> MustParse(std::string_view contents,
                                           std::string_view path = kPath) {
  auto parsed = TokenFile::Parse(contents, path);
  EXPECT_TRUE(parsed.has_value()) << (parsed.has_error() ? parsed.error().message : "");
  return parsed.has_value() ? *parsed : TokenFile::FromEntries({});
}

std::string ParseError(std::string_view contents, std::string_view path = kPath) {
  auto parsed = TokenFile::Parse(contents, path);
  return parsed.has_error() ? parsed.error().message : "<parsed>";
}

// R2.5, row by row. A null `want` means the token is not in the table.
TEST(TokenFileTest, R2_5_Examples) {
  struct Case {
    const char* name;
    std::string line;
    std::string token;
    std::optional<UserInfo> want;
    std::vector<std::string> want_warnings;
  };
  const Case cases[] = {
      {"three fields", "abc123,alice,1001", "abc123",
       UserInfo{.name = "alice", .uid = "1001", .groups = {}}},
      {"quoted groups", "abc123,alice,1001,\"dev,ops\"", "abc123",
       UserInfo{.name = "alice", .uid = "1001", .groups = {"dev", "ops"}}},
      {"groups not trimmed", "abc123,alice,1001,\"dev, ops\"", "abc123",
       UserInfo{.name = "alice", .uid = "1001", .groups = {"dev", " ops"}}},
      {"empty fourth field is one empty group", "abc123,alice,1001,", "abc123",
       UserInfo{.name = "alice", .uid = "1001", .groups = {""}}},
      {"fields after the fourth ignored", "abc123,alice,1001,g1,g2", "abc123",
       UserInfo{.name = "alice", .uid = "1001", .groups = {"g1"}}},
      {"hash is data", "#abc,alice,1", "#abc", UserInfo{.name = "alice", .uid = "1"}},
      {"doubled quote in token", "\"a\"\"b\",bob,2", "a\"b", UserInfo{.name = "bob", .uid = "2"}},
      {"empty token skipped",
       ",bob,2",
       "",
       std::nullopt,
       {"empty token has been found in token file '/etc/kubernetes/tokens.csv', record number "
        "'1'"}},
  };
  for (const auto& c : cases) {
    const auto file = MustParse(c.line);
    const std::optional<UserInfo> got = file->Find(c.token);
    if (c.want.has_value()) {
      ASSERT_TRUE(got.has_value()) << c.name;
      EXPECT_EQ(*got, *c.want) << c.name;
      EXPECT_EQ(file->size(), 1u) << c.name;
    } else {
      EXPECT_FALSE(got.has_value()) << c.name;
      EXPECT_EQ(file->size(), 0u) << c.name;
    }
    EXPECT_EQ(file->warnings(), c.want_warnings) << c.name;
  }
}

// R2.5's fatal rows, with kauth's "--token-auth-file=<path>: line <N>: " prefix. The bare-quote
// column is 2, as Go 1.17+ numbers it; the spec's table shows 1, the pre-1.17 numbering.
TEST(TokenFileTest, R2_5_FatalExamples) {
  EXPECT_EQ(ParseError("a\"b,bob,2"),
            "--token-auth-file=/etc/kubernetes/tokens.csv: line 1: parse error on line 1, column "
            "2: bare \" in non-quoted-field");
  EXPECT_EQ(ParseError("abc,bob"),
            "--token-auth-file=/etc/kubernetes/tokens.csv: line 1: token file "
            "'/etc/kubernetes/tokens.csv' must have at least 3 columns (token, user name, user "
            "uid), found 2");
}

// R2.2 and R2.3 applied to whole files.
TEST(TokenFileTest, R2_2_R2_3_Files) {
  struct Lookup {
    std::string token;
    std::optional<UserInfo> want;
  };
  struct Case {
    const char* name;
    std::string contents;
    std::vector<Lookup> lookups;
    std::size_t want_size;
    std::vector<std::string> want_warnings;
  };
  const Case cases[] = {
      {"empty file", "", {{"x", std::nullopt}}, 0, {}},
      {"only blank lines", "\n\r\n\n", {{"", std::nullopt}}, 0, {}},
      {"crlf line ends",
       "t1,alice,1,\"a,b\"\r\nt2,bob,2\r\n",
       {{"t1", UserInfo{.name = "alice", .uid = "1", .groups = {"a", "b"}}},
        {"t2", UserInfo{.name = "bob", .uid = "2"}}},
       2,
       {}},
      {"blank lines between rows",
       "\n\nt1,alice,1\n\n\nt2,bob,2\n\n",
       {{"t1", UserInfo{.name = "alice", .uid = "1"}}, {"t2", UserInfo{.name = "bob", .uid = "2"}}},
       2,
       {}},
      {"leading spaces kept",
       "tok, alice, 1, g\n  tok2,b,2",
       {{"tok", UserInfo{.name = " alice", .uid = " 1", .groups = {" g"}}},
        {"  tok2", UserInfo{.name = "b", .uid = "2"}},
        {"tok2", std::nullopt}},
       2,
       {}},
      {"utf-8 bom is part of the first token",
       "\xEF\xBB\xBFtok,alice,1",
       {{"tok", std::nullopt}, {"\xEF\xBB\xBFtok", UserInfo{.name = "alice", .uid = "1"}}},
       1,
       {}},
      {"name and uid verbatim",
       "tok,\"Alice \"\"A\"\" Smith\",\"id,1\"",
       {{"tok", UserInfo{.name = "Alice \"A\" Smith", .uid = "id,1"}}},
       1,
       {}},
      {"empty name and uid kept", "tok,,", {{"tok", UserInfo{}}}, 1, {}},
      {"quoted fourth field with empty pieces",
       "tok,a,1,\",g,,\"",
       {{"tok", UserInfo{.name = "a", .uid = "1", .groups = {"", "g", "", ""}}}},
       1,
       {}},
      {"newline inside a quoted token",
       "\"t\n1\",alice,1\nt2,bob,2",
       {{"t\n1", UserInfo{.name = "alice", .uid = "1"}},
        {"t2", UserInfo{.name = "bob", .uid = "2"}}},
       2,
       {}},
      {"crlf inside quotes becomes lf",
       "\"t\r\n1\",alice,1,\"a\r\nb\"",
       {{"t\n1", UserInfo{.name = "alice", .uid = "1", .groups = {"a\nb"}}},
        {"t\r\n1", std::nullopt}},
       1,
       {}},
      {"tokens compare byte for byte",
       "Token,alice,1",
       {{"token", std::nullopt},
        {"Token ", std::nullopt},
        {"Tok", std::nullopt},
        {"Token", UserInfo{.name = "alice", .uid = "1"}}},
       1,
       {}},
      {"duplicate: later row wins",
       "t,alice,1,g1\nu,carol,3\nt,bob,2\n",
       {{"t", UserInfo{.name = "bob", .uid = "2"}}, {"u", UserInfo{.name = "carol", .uid = "3"}}},
       2,
       {"duplicate token has been found in token file '/etc/kubernetes/tokens.csv', record "
        "number '3'"}},
      {"duplicate: quoted and unquoted spellings are one token",
       "t,alice,1\n\"t\",bob,2",
       {{"t", UserInfo{.name = "bob", .uid = "2"}}},
       1,
       {"duplicate token has been found in token file '/etc/kubernetes/tokens.csv', record "
        "number '2'"}},
      {"duplicate: every repeat warns, the last wins",
       "t,a,1\nt,b,2\nt,c,3",
       {{"t", UserInfo{.name = "c", .uid = "3"}}},
       1,
       {"duplicate token has been found in token file '/etc/kubernetes/tokens.csv', record "
        "number '2'",
        "duplicate token has been found in token file '/etc/kubernetes/tokens.csv', record "
        "number '3'"}},
      {"record numbers count rows, not lines, and include skipped rows",
       "a,u1,1\n\n,u2,2\n\"b\n\",u3,3\n\"\",u4,4\n\"b\n\",u5,5",
       {{"a", UserInfo{.name = "u1", .uid = "1"}},
        {"b\n", UserInfo{.name = "u5", .uid = "5"}},
        {"", std::nullopt}},
       2,
       {"empty token has been found in token file '/etc/kubernetes/tokens.csv', record number "
        "'2'",
        "empty token has been found in token file '/etc/kubernetes/tokens.csv', record number "
        "'4'",
        "duplicate token has been found in token file '/etc/kubernetes/tokens.csv', record "
        "number '5'"}},
  };
  for (const auto& c : cases) {
    const auto file = MustParse(c.contents);
    for (const auto& lookup : c.lookups) {
      const std::optional<UserInfo> got = file->Find(lookup.token);
      if (lookup.want.has_value()) {
        ASSERT_TRUE(got.has_value()) << c.name << ": " << lookup.token;
        EXPECT_EQ(*got, *lookup.want) << c.name << ": " << lookup.token;
      } else {
        EXPECT_FALSE(got.has_value()) << c.name << ": " << lookup.token;
      }
    }
    EXPECT_EQ(file->size(), c.want_size) << c.name;
    EXPECT_EQ(file->warnings(), c.want_warnings) << c.name;
  }
}

// R2.2 and R2.3.1: the first bad record stops the parse; N is the record's first line, or the
// line of a CSV error.
TEST(TokenFileTest, R2_2_R2_3_FatalErrors) {
  struct Case {
    const char* name;
    std::string contents;
    std::string want;
  };
  const std::string prefix = "--token-auth-file=/etc/kubernetes/tokens.csv: ";
  const std::string columns =
      "token file '/etc/kubernetes/tokens.csv' must have at least 3 columns (token, user name, "
      "user uid), found ";
  const Case cases[] = {
      {"one field", "abc", prefix + "line 1: " + columns + "1"},
      {"space-only line", "a,b,c\n   \n", prefix + "line 2: " + columns + "1"},
      {"after blank lines", "a,b,c\n\n\nx,y", prefix + "line 4: " + columns + "2"},
      {"multi-line record reports its first line", "a,b,c\n\"x\ny\",z\n",
       prefix + "line 2: " + columns + "2"},
      {"rows after a bad row are not read", "abc\n,u,1", prefix + "line 1: " + columns + "1"},
      {"bare quote on a later line", "a,b,c\n\"t\n1\",alice,1\nx\"y,b,2",
       prefix + "line 4: parse error on line 4, column 2: bare \" in non-quoted-field"},
      {"multi-line record: line of the error", "t0,a,1\n\"t\n1,alice,1",
       prefix +
           "line 3: record on line 2; parse error on line 3, column 10: extraneous or missing \" "
           "in quoted-field"},
      {"stray quote", "\"a\"b,c,d",
       prefix + "line 1: parse error on line 1, column 3: extraneous or missing \" in "
                "quoted-field"},
      {"csv error wins over a short record after it", "a\"b\nx",
       prefix + "line 1: parse error on line 1, column 2: bare \" in non-quoted-field"},
  };
  for (const auto& c : cases) EXPECT_EQ(ParseError(c.contents), c.want) << c.name;
}

TEST(TokenFileTest, R2_3_PathAppearsVerbatimInMessages) {
  EXPECT_EQ(ParseError("x,y", "rel/with space,'q'.csv"),
            "--token-auth-file=rel/with space,'q'.csv: line 1: token file 'rel/with "
            "space,'q'.csv' must have at least 3 columns (token, user name, user uid), found 2");
  const auto file = MustParse(",a,1", "");
  EXPECT_EQ(
      file->warnings(),
      std::vector<std::string>{"empty token has been found in token file '', record number '1'"});
}

TEST(TokenFileTest, FindReturnsEachTokensOwnUser) {
  const auto file = MustParse("t,alice,1,g\nu,bob,2,g\nv,carol,3");
  EXPECT_EQ(file->Find("t"), (UserInfo{.name = "alice", .uid = "1", .groups = {"g"}}));
  EXPECT_EQ(file->Find("u"), (UserInfo{.name = "bob", .uid = "2", .groups = {"g"}}));
  EXPECT_EQ(file->Find("v"), (UserInfo{.name = "carol", .uid = "3"}));
}

// A replaced row's user is the later one, whole (R2.3.5), also with the compact storage.
TEST(TokenFileTest, DuplicateTokenTakesTheLaterRowWhole) {
  const auto file = MustParse("t,alice,1,\"a,b\"\nt,bob,22\n");
  EXPECT_EQ(file->Find("t"), (UserInfo{.name = "bob", .uid = "22"}));
  EXPECT_EQ(file->size(), 1u);
}

TEST(TokenFileTest, ManyTokensAreAllFound) {
  std::string contents;
  constexpr int kCount = 5000;
  for (int i = 0; i < kCount; ++i) {
    contents += "token-" + std::to_string(i) + ",user-" + std::to_string(i) + "," +
                std::to_string(i) + ",g\n";
  }
  const auto file = MustParse(contents);
  EXPECT_EQ(file->size(), static_cast<std::size_t>(kCount));
  for (int i = 0; i < kCount; ++i) {
    const std::optional<UserInfo> user = file->Find("token-" + std::to_string(i));
    ASSERT_TRUE(user.has_value()) << i;
    EXPECT_EQ(user->name, "user-" + std::to_string(i));
    EXPECT_EQ(user->groups, Groups{"g"});
    EXPECT_FALSE(file->Find("token-" + std::to_string(i) + "x").has_value()) << i;
  }
}

TEST(TokenFileTest, ConcurrentFindsAgree) {
  const auto file = MustParse("a,alice,1\nb,bob,2\n");
  std::vector<std::thread> threads;
  std::vector<int> found(4, 0);
  for (std::size_t t = 0; t < found.size(); ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < 1000; ++i) {
        if (file->Find("a").has_value() && file->Find("b").has_value() && !file->Find("c")) {
          ++found[t];
        }
      }
    });
  }
  for (auto& thread : threads) thread.join();
  EXPECT_EQ(found, (std::vector<int>{1000, 1000, 1000, 1000}));
}

TEST(TokenFileTest, FromEntriesLaterEntriesWin) {
  std::vector<TokenFile::Entry> entries;
  entries.push_back(
      {"loopback",
       UserInfo{.name = "system:apiserver", .uid = "u1", .groups = {"system:masters"}}});
  entries.push_back({"other", UserInfo{.name = "bob"}});
  entries.push_back({"loopback", UserInfo{.name = "system:apiserver", .uid = "u2"}});
  const auto file = TokenFile::FromEntries(std::move(entries));
  EXPECT_EQ(file->size(), 2u);
  ASSERT_TRUE(file->Find("loopback").has_value());
  EXPECT_EQ(*file->Find("loopback"), (UserInfo{.name = "system:apiserver", .uid = "u2"}));
  ASSERT_TRUE(file->Find("other").has_value());
  EXPECT_EQ(file->Find("other")->name, "bob");
  EXPECT_TRUE(file->warnings().empty());
}

// Unlike Go's tokenfile.New, an empty token never enters the table (deliberate; see the .cc).
TEST(TokenFileTest, FromEntriesDropsEmptyTokens) {
  std::vector<TokenFile::Entry> entries;
  entries.push_back({"", UserInfo{.name = "nobody"}});
  const auto file = TokenFile::FromEntries(std::move(entries));
  EXPECT_EQ(file->size(), 0u);
  EXPECT_FALSE(file->Find("").has_value());
  EXPECT_FALSE(TokenFile::FromEntries({})->Find("").has_value());
}

class TokenFileLoadTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string pattern = (std::filesystem::temp_directory_path() / "kauth-token-XXXXXX").string();
    ASSERT_NE(::mkdtemp(pattern.data()), nullptr);
    dir_ = pattern;
  }
  void TearDown() override {
    std::error_code ignored;
    std::filesystem::remove_all(dir_, ignored);
  }

  std::string Write(const std::string& name, std::string_view contents) {
    const std::string path = (dir_ / name).string();
    std::ofstream out(path, std::ios::binary);
    out << contents;
    return path;
  }

  std::filesystem::path dir_;
};

// R2.1: the file is read once; its contents follow R2.2 and R2.3.
TEST_F(TokenFileLoadTest, R2_1_LoadsAFile) {
  const std::string path = Write("tokens.csv", "t1,alice,1001,\"dev,ops\"\r\n,x,1\nt2,bob,2\n");
  auto loaded = TokenFile::Load(path);
  ASSERT_TRUE(loaded.has_value()) << loaded.error().message;
  const auto& file = *loaded;
  EXPECT_EQ(file->size(), 2u);
  ASSERT_TRUE(file->Find("t1").has_value());
  EXPECT_EQ(*file->Find("t1"),
            (UserInfo{.name = "alice", .uid = "1001", .groups = {"dev", "ops"}}));
  EXPECT_EQ(file->warnings(),
            std::vector<std::string>{"empty token has been found in token file '" + path +
                                     "', record number '2'"});
}

TEST_F(TokenFileLoadTest, R2_1_LoadsAnEmptyFile) {
  auto loaded = TokenFile::Load(Write("empty.csv", ""));
  ASSERT_TRUE(loaded.has_value()) << loaded.error().message;
  EXPECT_EQ((*loaded)->size(), 0u);
}

TEST_F(TokenFileLoadTest, R2_1_ParseErrorsNameTheFile) {
  const std::string path = Write("bad.csv", "a,b,c\nx,y\n");
  auto loaded = TokenFile::Load(path);
  ASSERT_TRUE(loaded.has_error());
  EXPECT_EQ(loaded.error().message,
            "--token-auth-file=" + path + ": line 2: token file '" + path +
                "' must have at least 3 columns (token, user name, user uid), found 2");
}

TEST_F(TokenFileLoadTest, R2_1_MissingFile) {
  const std::string path = (dir_ / "missing.csv").string();
  auto loaded = TokenFile::Load(path);
  ASSERT_TRUE(loaded.has_error());
  EXPECT_EQ(loaded.error().message,
            "--token-auth-file=" + path + ": open " + path + ": no such file or directory");
}

TEST_F(TokenFileLoadTest, R2_1_MissingParentDirectory) {
  const std::string path = Write("plain", "") + "/tokens.csv";
  auto loaded = TokenFile::Load(path);
  ASSERT_TRUE(loaded.has_error());
  EXPECT_EQ(loaded.error().message,
            "--token-auth-file=" + path + ": open " + path + ": not a directory");
}

// Go's open of a directory succeeds; the first read fails.
TEST_F(TokenFileLoadTest, R2_1_Directory) {
  const std::string path = dir_.string();
  auto loaded = TokenFile::Load(path);
  ASSERT_TRUE(loaded.has_error());
  EXPECT_EQ(loaded.error().message,
            "--token-auth-file=" + path + ": read " + path + ": is a directory");
}

TEST_F(TokenFileLoadTest, R2_1_PermissionDenied) {
  const std::string path = Write("secret.csv", "t,alice,1");
  ASSERT_EQ(::chmod(path.c_str(), 0), 0);
  const std::string want = "--token-auth-file=" + path + ": open " + path + ": permission denied";
  if (::geteuid() != 0) {
    auto loaded = TokenFile::Load(path);
    ASSERT_TRUE(loaded.has_error());
    EXPECT_EQ(loaded.error().message, want);
    return;
  }
  // Root reads any file, so the load runs in a child that drops to nobody (uid 65534) and
  // reports the message through a pipe.
  int fds[2];
  ASSERT_EQ(::pipe(fds), 0);
  const pid_t child = ::fork();
  ASSERT_GE(child, 0);
  if (child == 0) {
    ::close(fds[0]);
    if (::setgid(65534) != 0 || ::setuid(65534) != 0) ::_exit(2);
    auto loaded = TokenFile::Load(path);
    const std::string message = loaded.has_error() ? loaded.error().message : "loaded";
    const ssize_t written = ::write(fds[1], message.data(), message.size());
    ::_exit(written == static_cast<ssize_t>(message.size()) ? 0 : 3);
  }
  ::close(fds[1]);
  std::string message;
  char buffer[512];
  for (ssize_t n; (n = ::read(fds[0], buffer, sizeof(buffer))) > 0;) {
    message.append(buffer, static_cast<std::size_t>(n));
  }
  ::close(fds[0]);
  int status = 0;
  ASSERT_EQ(::waitpid(child, &status, 0), child);
  ASSERT_TRUE(WIFEXITED(status));
  ASSERT_EQ(WEXITSTATUS(status), 0);
  EXPECT_EQ(message, want);
}

// R2.4: AUTH without audiences on a hit, N/A on a miss.
TEST(TokenFileAuthenticatorTest, R2_4_Outcomes) {
  const auto authenticator =
      NewTokenFileAuthenticator(MustParse("abc123,alice,1001,\"dev,ops\"\nt2,bob,2\n,empty,3"));
  struct Case {
    const char* name;
    std::string token;
    AuthResult want;
  };
  const Case cases[] = {
      {"hit", "abc123", Authed(UserInfo{.name = "alice", .uid = "1001", .groups = {"dev", "ops"}})},
      {"second hit", "t2", Authed(UserInfo{.name = "bob", .uid = "2"})},
      {"miss", "unknown", AuthResult::NotApplicable()},
      {"empty token", "", AuthResult::NotApplicable()},
      {"prefix of a token", "abc12", AuthResult::NotApplicable()},
      {"token with suffix", "abc1234", AuthResult::NotApplicable()},
      {"other case", "ABC123", AuthResult::NotApplicable()},
  };
  for (const auto& c : cases) {
    EXPECT_EQ(AuthenticateToken(*authenticator, c.token), c.want) << c.name;
  }
}

TEST(TokenFileAuthenticatorTest, R2_4_LeavesTheContextAlone) {
  const auto authenticator = NewTokenFileAuthenticator(MustParse("t,alice,1"));
  AuthContext ctx(Audiences{"api"});
  // Authed() has no audiences: the token file is not audience-aware (R1.5 adds them).
  EXPECT_EQ(AuthenticateToken(*authenticator, "t", ctx),
            Authed(UserInfo{.name = "alice", .uid = "1"}));
  EXPECT_EQ(ctx.audiences(), Audiences{"api"});
  EXPECT_TRUE(ctx.warnings().empty());
  EXPECT_TRUE(ctx.audit_annotations().empty());
}

TEST(TokenFileAuthenticatorTest, KeepsTheTableAlive) {
  std::unique_ptr<TokenAuthenticator> authenticator;
  {
    std::vector<TokenFile::Entry> entries;
    entries.push_back({"t", UserInfo{.name = "alice"}});
    authenticator = NewTokenFileAuthenticator(TokenFile::FromEntries(std::move(entries)));
  }
  EXPECT_EQ(AuthenticateToken(*authenticator, "t"), Authed(UserInfo{.name = "alice"}));
}

}  // namespace
}  // namespace kauth
