#include "config/flag_parser.h"

#include <gtest/gtest.h>

#include <chrono>
#include <cstdint>
#include <memory>
#include <ostream>
#include <string>
#include <vector>

#include "config/go_duration.h"
#include "config/go_strconv.h"

namespace kauth::config {
namespace {

using namespace std::chrono_literals;
using Strings = std::vector<std::string>;

// A custom value with component-base's -v semantics, to test FlagSet::Add.
class LevelValue final : public FlagValue {
 public:
  explicit LevelValue(int* target) : target_(target) {}
  Result<void> Set(std::string_view text) override {
    auto parsed = ParseGoUint(text, 10, 31);
    if (parsed.has_error()) return parsed.error();
    *target_ = static_cast<int>(*parsed);
    return {};
  }
  std::string String() const override { return std::to_string(*target_); }
  std::string Type() const override { return "Level"; }

 private:
  int* target_;
};

// Every value a test flag set can hold, compared as a whole so a case states its full outcome.
struct State {
  bool anonymous = true;
  bool help = false;
  std::int64_t port = 6443;
  std::string dir = "/var/run/kubernetes";
  Strings audiences;
  Strings groups = {"system:masters"};
  std::chrono::nanoseconds timeout = 32s;
  std::string bind = "0.0.0.0";
  int v = 0;
  Strings positional;

  friend bool operator==(const State&, const State&) = default;
};

void PrintTo(const State& s, std::ostream* os) {
  auto list = [](const Strings& l) { return GoQuoteStrings(l); };
  *os << "{anonymous=" << s.anonymous << " help=" << s.help << " port=" << s.port << " dir=\""
      << s.dir << "\" audiences=" << list(s.audiences) << " groups=" << list(s.groups)
      << " timeout=" << FormatGoDuration(s.timeout) << " bind=" << s.bind << " v=" << s.v
      << " positional=" << list(s.positional) << "}";
}

// The flags of the syntax tests, kube-apiserver's kinds of flag: bool, bool with shorthand,
// int, string, string slice (empty default and non-empty default), duration, ip, custom.
struct TestFlags {
  State state;
  FlagSet fs;

  TestFlags() {
    fs.AddBool({"anonymous-auth", '\0', "Anonymous.", "authentication"}, &state.anonymous);
    fs.AddBool({"help", 'h', "help for kauthd", "global"}, &state.help);
    fs.AddInt({"secure-port", '\0', "Port.", "secure serving"}, &state.port);
    fs.AddString({"cert-dir", '\0', "Dir.", "secure serving"}, &state.dir);
    fs.AddStringSlice({"api-audiences", '\0', "Audiences.", "authentication"}, &state.audiences);
    fs.AddStringSlice({"groups", '\0', "Groups.", "authorization"}, &state.groups);
    fs.AddDuration({"timeout", '\0', "Timeout.", "generic"}, &state.timeout);
    fs.AddIp({"bind-address", '\0', "Bind.", "secure serving"}, &state.bind);
    fs.Add({"v", 'v', "Level.", "logs"}, std::make_unique<LevelValue>(&state.v));
  }

  Result<void> Parse(const std::vector<const char*>& args) {
    auto parsed = fs.Parse(args);
    if (parsed.has_error()) return parsed.error();
    state.positional = *parsed;
    return {};
  }
};

struct SyntaxCase {
  const char* name;
  std::vector<const char*> args;
  void (*expect)(State&);
};

// pflag's accepted syntax, flag kind by flag kind (kube-apiserver parses with pflag).
TEST(FlagParserTest, AcceptsPflagSyntax) {
  const SyntaxCase cases[] = {
      {"no arguments", {}, [](State&) {}},
      {"--name=value", {"--secure-port=8443"}, [](State& s) { s.port = 8443; }},
      {"--name value", {"--secure-port", "8443"}, [](State& s) { s.port = 8443; }},
      {"value may start with a dash", {"--cert-dir", "-x"}, [](State& s) { s.dir = "-x"; }},
      {"value may be --", {"--cert-dir", "--"}, [](State& s) { s.dir = "--"; }},
      {"empty value after =", {"--cert-dir="}, [](State& s) { s.dir = ""; }},
      {"value containing =", {"--cert-dir=a=b"}, [](State& s) { s.dir = "a=b"; }},
      {"empty next argument", {"--cert-dir", ""}, [](State& s) { s.dir = ""; }},
      {"last value wins", {"--secure-port=1", "--secure-port", "2"}, [](State& s) { s.port = 2; }},
      {"underscore reads as dash", {"--secure_port=1"}, [](State& s) { s.port = 1; }},
      {"underscores in a bool", {"--anonymous_auth=false"}, [](State& s) { s.anonymous = false; }},
      // Bools.
      {"bare bool is true", {"--help"}, [](State& s) { s.help = true; }},
      {"bool =false", {"--anonymous-auth=false"}, [](State& s) { s.anonymous = false; }},
      {"bool =0", {"--anonymous-auth=0"}, [](State& s) { s.anonymous = false; }},
      {"bool =f", {"--anonymous-auth=f"}, [](State& s) { s.anonymous = false; }},
      {"bool =F", {"--anonymous-auth=F"}, [](State& s) { s.anonymous = false; }},
      {"bool =FALSE", {"--anonymous-auth=FALSE"}, [](State& s) { s.anonymous = false; }},
      {"bool =False", {"--anonymous-auth=False"}, [](State& s) { s.anonymous = false; }},
      {"bool =true", {"--help=true"}, [](State& s) { s.help = true; }},
      {"bool =1", {"--help=1"}, [](State& s) { s.help = true; }},
      {"bool =t", {"--help=t"}, [](State& s) { s.help = true; }},
      {"bool =T", {"--help=T"}, [](State& s) { s.help = true; }},
      {"bool =TRUE", {"--help=TRUE"}, [](State& s) { s.help = true; }},
      {"bool =True", {"--help=True"}, [](State& s) { s.help = true; }},
      {"bool never takes the next argument",
       {"--anonymous-auth", "false"},
       [](State& s) { s.positional = {"false"}; }},
      // Shorthands.
      {"-h", {"-h"}, [](State& s) { s.help = true; }},
      {"-h=false", {"-h=false"}, [](State&) {}},
      {"-v value", {"-v", "3"}, [](State& s) { s.v = 3; }},
      {"-v=value", {"-v=3"}, [](State& s) { s.v = 3; }},
      {"-vvalue", {"-v3"}, [](State& s) { s.v = 3; }},
      {"--v=value", {"--v=4"}, [](State& s) { s.v = 4; }},
      {"bool shorthands combine",
       {"-hv5"},
       [](State& s) {
         s.help = true;
         s.v = 5;
       }},
      {"combined, last takes the next argument",
       {"-hv", "6"},
       [](State& s) {
         s.help = true;
         s.v = 6;
       }},
      // Int: strconv.ParseInt base 0.
      {"int hex", {"--secure-port=0x1bb"}, [](State& s) { s.port = 443; }},
      {"int octal", {"--secure-port=017"}, [](State& s) { s.port = 15; }},
      {"int 0o", {"--secure-port=0o17"}, [](State& s) { s.port = 15; }},
      {"int binary", {"--secure-port=0b11"}, [](State& s) { s.port = 3; }},
      {"int negative", {"--secure-port=-1"}, [](State& s) { s.port = -1; }},
      {"int plus", {"--secure-port=+5"}, [](State& s) { s.port = 5; }},
      {"int underscores", {"--secure-port=1_000"}, [](State& s) { s.port = 1000; }},
      // String slices: one CSV record per value; the first use replaces the default.
      {"slice appends",
       {"--api-audiences=a,b", "--api-audiences", "c"},
       [](State& s) {
         s.audiences = {"a", "b", "c"};
       }},
      {"slice replaces its default", {"--groups=x"}, [](State& s) { s.groups = {"x"}; }},
      {"slice replaces once, then appends",
       {"--groups=x", "--groups=y,z"},
       [](State& s) {
         s.groups = {"x", "y", "z"};
       }},
      {"empty value is an empty list", {"--groups="}, [](State& s) { s.groups = {}; }},
      {"empty value then more", {"--groups=", "--groups=a"}, [](State& s) { s.groups = {"a"}; }},
      {"CSV quotes",
       {R"(--api-audiences="a,b",c)"},
       [](State& s) {
         s.audiences = {"a,b", "c"};
       }},
      {"CSV doubled quote",
       {R"(--api-audiences="a""b")"},
       [](State& s) { s.audiences = {"a\"b"}; }},
      {"CSV keeps spaces",
       {"--api-audiences= a, b "},
       [](State& s) {
         s.audiences = {" a", " b "};
       }},
      {"CSV empty fields",
       {"--api-audiences=a,,"},
       [](State& s) {
         s.audiences = {"a", "", ""};
       }},
      {"CSV reads one record", {"--api-audiences=a\nb"}, [](State& s) { s.audiences = {"a"}; }},
      {"CSV skips leading blank lines",
       {"--api-audiences=\n\na"},
       [](State& s) { s.audiences = {"a"}; }},
      // Durations: time.ParseDuration.
      {"duration", {"--timeout=1h2m3.5s"}, [](State& s) { s.timeout = 1h + 2min + 3500ms; }},
      {"duration ms", {"--timeout", "300ms"}, [](State& s) { s.timeout = 300ms; }},
      {"negative duration", {"--timeout=-1.5h"}, [](State& s) { s.timeout = -90min; }},
      {"zero duration", {"--timeout=0"}, [](State& s) { s.timeout = 0s; }},
      {"micro sign", {"--timeout=5\xC2\xB5s"}, [](State& s) { s.timeout = 5us; }},
      // IPs: net.ParseIP after TrimSpace, stored as net.IP.String().
      {"ipv4", {"--bind-address=127.0.0.1"}, [](State& s) { s.bind = "127.0.0.1"; }},
      {"ipv6", {"--bind-address=::1"}, [](State& s) { s.bind = "::1"; }},
      {"ip trimmed", {"--bind-address= 10.0.0.1\t"}, [](State& s) { s.bind = "10.0.0.1"; }},
      {"ipv4-mapped prints as ipv4",
       {"--bind-address=::ffff:10.0.0.1"},
       [](State& s) { s.bind = "10.0.0.1"; }},
      {"ipv6 canonical",
       {"--bind-address=2001:DB8:0:0:0:0:0:1"},
       [](State& s) { s.bind = "2001:db8::1"; }},
      {"ipv6 first longest zero run",
       {"--bind-address=1:0:0:2:0:0:0:3"},
       [](State& s) { s.bind = "1:0:0:2::3"; }},
      {"ipv6 single zero group stays",
       {"--bind-address=1:0:2:3:4:5:6:7"},
       [](State& s) { s.bind = "1:0:2:3:4:5:6:7"; }},
      // Positional arguments and --.
      {"positional words interspersed",
       {"a", "--secure-port=1", "b", "-", ""},
       [](State& s) {
         s.port = 1;
         s.positional = {"a", "b", "-", ""};
       }},
      {"-- ends the flags",
       {"--secure-port=1", "--", "--secure-port=2", "x"},
       [](State& s) {
         s.port = 1;
         s.positional = {"--secure-port=2", "x"};
       }},
  };
  for (const SyntaxCase& c : cases) {
    TestFlags flags;
    auto parsed = flags.Parse(c.args);
    ASSERT_TRUE(parsed.has_value()) << c.name << ": " << parsed.error().message;
    State want;
    c.expect(want);
    EXPECT_EQ(flags.state, want) << c.name;
  }
}

// pflag's error texts, exactly; the first error stops parsing.
TEST(FlagParserTest, ErrorsAsPflagWritesThem) {
  struct Case {
    std::vector<const char*> args;
    const char* want;
  };
  const Case cases[] = {
      {{"--foo"}, "unknown flag: --foo"},
      {{"--foo=bar"}, "unknown flag: --foo"},
      {{"--foo_bar"}, "unknown flag: --foo_bar"},
      {{"--foo", "--bar"}, "unknown flag: --foo"},
      {{"--Secure-Port=1"}, "unknown flag: --Secure-Port"},
      {{"-x"}, "unknown shorthand flag: 'x' in -x"},
      {{"-hx"}, "unknown shorthand flag: 'x' in -x"},
      {{"-secure-port=1"}, "unknown shorthand flag: 's' in -secure-port=1"},
      {{"-=1"}, "unknown shorthand flag: '=' in -=1"},
      {{"---x"}, "bad flag syntax: ---x"},
      {{"--=x"}, "bad flag syntax: --=x"},
      {{"--secure-port"}, "flag needs an argument: --secure-port"},
      {{"--secure_port"}, "flag needs an argument: --secure_port"},
      {{"-v"}, "flag needs an argument: 'v' in -v"},
      {{"-hv"}, "flag needs an argument: 'v' in -v"},
      {{"--secure-port=x"},
       R"(invalid argument "x" for "--secure-port" flag: strconv.ParseInt: parsing "x": invalid syntax)"},
      {{"--secure-port", ""},
       R"(invalid argument "" for "--secure-port" flag: strconv.ParseInt: parsing "": invalid syntax)"},
      {{"--secure-port=99999999999999999999"},
       R"(invalid argument "99999999999999999999" for "--secure-port" flag: strconv.ParseInt: parsing "99999999999999999999": value out of range)"},
      {{"--anonymous-auth=yes"},
       R"(invalid argument "yes" for "--anonymous-auth" flag: strconv.ParseBool: parsing "yes": invalid syntax)"},
      {{"--anonymous-auth="},
       R"(invalid argument "" for "--anonymous-auth" flag: strconv.ParseBool: parsing "": invalid syntax)"},
      {{"-h=maybe"},
       R"(invalid argument "maybe" for "-h, --help" flag: strconv.ParseBool: parsing "maybe": invalid syntax)"},
      {{"-v=x"},
       R"(invalid argument "x" for "-v, --v" flag: strconv.ParseUint: parsing "x": invalid syntax)"},
      {{"--v=-1"},
       R"(invalid argument "-1" for "-v, --v" flag: strconv.ParseUint: parsing "-1": invalid syntax)"},
      {{"--timeout=1"},
       R"(invalid argument "1" for "--timeout" flag: time: missing unit in duration "1")"},
      {{"--timeout=x"}, R"(invalid argument "x" for "--timeout" flag: time: invalid duration "x")"},
      {{"--timeout=1x"},
       R"(invalid argument "1x" for "--timeout" flag: time: unknown unit "x" in duration "1x")"},
      {{"--bind-address=localhost"},
       R"(invalid argument "localhost" for "--bind-address" flag: failed to parse IP: "localhost")"},
      {{"--bind-address="},
       R"(invalid argument "" for "--bind-address" flag: failed to parse IP: "")"},
      {{"--bind-address=010.0.0.1"},
       R"(invalid argument "010.0.0.1" for "--bind-address" flag: failed to parse IP: "010.0.0.1")"},
      {{"--bind-address=fe80::1%eth0"},
       R"(invalid argument "fe80::1%eth0" for "--bind-address" flag: failed to parse IP: "fe80::1%eth0")"},
      {{R"(--api-audiences=a"b)"},
       R"(invalid argument "a\"b" for "--api-audiences" flag: parse error on line 1, column 2: bare " in non-quoted-field)"},
      {{R"(--api-audiences="a)"},
       R"(invalid argument "\"a" for "--api-audiences" flag: parse error on line 1, column 3: extraneous or missing " in quoted-field)"},
      {{"--api-audiences=\n"}, R"(invalid argument "\n" for "--api-audiences" flag: EOF)"},
  };
  for (const Case& c : cases) {
    TestFlags flags;
    auto parsed = flags.Parse(c.args);
    ASSERT_TRUE(parsed.has_error()) << c.want;
    EXPECT_EQ(parsed.error().message, c.want);
  }
}

// pflag's Changed: set by a successful Set, whatever the value (kube-apiserver's
// --anonymous-auth conflict check relies on it, R12.3).
TEST(FlagParserTest, ChangedTracksFlagsGivenOnTheCommandLine) {
  TestFlags flags;
  ASSERT_TRUE(flags.Parse({"--anonymous-auth=true", "--secure_port=1"}).has_value());
  EXPECT_TRUE(flags.fs.Changed("anonymous-auth"));
  EXPECT_TRUE(flags.fs.Changed("secure-port"));
  EXPECT_TRUE(flags.fs.Changed("secure_port"));
  EXPECT_FALSE(flags.fs.Changed("cert-dir"));
  EXPECT_FALSE(flags.fs.Changed("no-such-flag"));

  TestFlags failed;
  ASSERT_TRUE(failed.Parse({"--secure-port=x"}).has_error());
  EXPECT_FALSE(failed.fs.Changed("secure-port"));
}

// A small set for help output, so the expected text can be checked by eye against pflag's
// FlagUsagesWrapped and component-base's PrintSections.
struct HelpFlags {
  std::string bind = "0.0.0.0";
  std::string dir = "/var/run/kubernetes";
  std::int64_t port = 6443;
  std::string cert;
  int v = 0;
  bool anonymous = true;
  std::vector<std::string> groups = {"system:masters"};
  std::chrono::nanoseconds grace = 60s;
  FlagSet fs;

  HelpFlags() {
    fs.AddIp({"bind-address", '\0',
              "The address to listen on for HTTPS connections from every client of the server.",
              "secure serving"},
             &bind);
    fs.AddString({"cert-dir", '\0', "Directory for generated certificates.", "secure serving"},
                 &dir);
    fs.AddInt({"secure-port", '\0', "Port.\nSecond line.", "secure serving"}, &port);
    fs.Add({"v", 'v', "Log level.", "secure serving"}, std::make_unique<LevelValue>(&v));
    fs.AddString({"tls-cert-file", '\0', "File.", "secure serving"}, &cert);
    fs.AddBool({"anonymous-auth", '\0', "Anonymous.", "authentication"}, &anonymous);
    fs.AddStringSlice({"groups", '\0', "A `list` of groups.", "authentication"}, &groups);
    fs.AddDuration({"grace", '\0', "Grace.", "authentication"}, &grace);
  }
};

TEST(FlagParserTest, FlagUsagesWithoutWrapping) {
  HelpFlags flags;
  EXPECT_EQ(flags.fs.FlagUsages(0, "secure serving"),
            "      --bind-address ip        The address to listen on for HTTPS connections from "
            "every client of the server. (default 0.0.0.0)\n"
            "      --cert-dir string        Directory for generated certificates. (default "
            "\"/var/run/kubernetes\")\n"
            "      --secure-port int        Port.\n"
            "                               Second line. (default 6443)\n"
            "      --tls-cert-file string   File.\n"
            "  -v, --v Level                Log level.\n");
  // Bools show no type; a backquoted word names the value; defaults print as Go does.
  EXPECT_EQ(flags.fs.FlagUsages(0, "authentication"),
            "      --anonymous-auth   Anonymous. (default true)\n"
            "      --grace duration   Grace. (default 1m0s)\n"
            "      --groups list      A list of groups. (default [system:masters])\n");
}

TEST(FlagParserTest, SectionsWithoutATerminal) {
  HelpFlags flags;
  EXPECT_EQ(flags.fs.SectionedUsages(0),
            "\nSecure serving flags:\n\n" + flags.fs.FlagUsages(0, "secure serving") +
                "\nAuthentication flags:\n\n" + flags.fs.FlagUsages(0, "authentication"));
}

// With a terminal width, kube-apiserver's help puts each description in a block indented 16
// columns below its flag, wrapped to the width (the flag line keeps pflag's trailing spaces).
TEST(FlagParserTest, SectionsWrappedToTheTerminal) {
  HelpFlags flags;
  const std::string pad(28, ' ');
  EXPECT_EQ(flags.fs.SectionedUsages(60),
            "\nSecure serving flags:\n\n"
            "      --bind-address ip" +
                pad +
                "\n"
                "                The address to listen on for HTTPS\n"
                "                connections from every client of the\n"
                "                server. (default 0.0.0.0)\n"
                "      --cert-dir string" +
                pad +
                "\n"
                "                Directory for generated certificates.\n"
                "                (default \"/var/run/kubernetes\")\n"
                "      --secure-port int" +
                pad +
                "\n"
                "                Port.\n"
                "                Second line. (default 6443)\n"
                "      --tls-cert-file string" +
                std::string(23, ' ') +
                "\n"
                "                File.\n"
                "  -v, --v Level" +
                std::string(36, ' ') +
                "\n"
                "                Log level.\n"
                "\nAuthentication flags:\n\n"
                "      --anonymous-auth" +
                std::string(29, ' ') +
                "\n"
                "                Anonymous. (default true)\n"
                "      --grace duration" +
                std::string(29, ' ') +
                "\n"
                "                Grace. (default 1m0s)\n"
                "      --groups list" +
                std::string(32, ' ') +
                "\n"
                "                A list of groups. (default\n"
                "                [system:masters])\n");
}

// Below 40 columns pflag gives up wrapping: descriptions stay on the flag's line and only
// their own line breaks are indented 16.
TEST(FlagParserTest, NarrowTerminalDoesNotWrap) {
  HelpFlags flags;
  std::string want = flags.fs.SectionedUsages(0);
  const std::string unwrapped = "\n" + std::string(31, ' ') + "Second line.";
  ASSERT_NE(want.find(unwrapped), std::string::npos);
  want.replace(want.find(unwrapped), unwrapped.size(),
               "\n" + std::string(16, ' ') + "Second line.");
  EXPECT_EQ(flags.fs.SectionedUsages(30), want);
}

TEST(FlagParserTest, TerminalColumnsIsZeroForANonTerminal) { EXPECT_EQ(TerminalColumns(-1), 0); }

}  // namespace
}  // namespace kauth::config
