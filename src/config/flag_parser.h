// FlagSet: a command-line parser with the semantics of Go's spf13/pflag as kube-apiserver uses
// it (cobra + component-base), so that kauthd accepts exactly what kube-apiserver accepts and
// fails with the same words.
//
// Syntax (pflag's parseArgs):
//   --name=value, --name value      a non-bool flag takes the next argument even if it starts
//                                   with '-'; a missing one is `flag needs an argument: --name`
//   --name, --name=true|false|1|0|t|f|T|F|TRUE|FALSE|True|False
//                                   bool flags never take the next argument
//   -x value, -x=value, -xvalue     a one-letter shorthand; bools combine: -hv3
//   --                              ends the flags; everything after it is positional
//   -, words not starting with '-'  positional, anywhere on the line (interspersed)
//   '_' in a name is read as '-'    (component-base's WordSepNormalizeFunc: --secure_port)
// Errors, one line each: `unknown flag: --x`, `unknown shorthand flag: 'x' in -xyz`,
// `bad flag syntax: ---x`, `flag needs an argument: --x`, `flag needs an argument: 'x' in -x`,
// `invalid argument "v" for "--x" flag: <reason>` (`"-x, --name"` when the flag has a
// shorthand). Repeated flags: the last value wins, string slices append.
//
// Help (pflag's FlagUsagesWrapped and component-base's PrintSections): flags sorted by name
// within named sections ("Secure serving flags:"), each with its type, description and
// `(default ...)`; with a terminal width the description moves to its own block indented 16
// columns and wrapped to that width.
//
// A FlagSet owns its values; the typed helpers bind variables that must outlive the FlagSet.
// Not thread-safe.
#ifndef KAUTH_CONFIG_FLAG_PARSER_H_
#define KAUTH_CONFIG_FLAG_PARSER_H_

#include <chrono>
#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "kauth/error.h"

namespace kauth::config {

// A flag's value, as pflag's Value interface.
class FlagValue {
 public:
  virtual ~FlagValue() = default;
  // Parses and stores `text`. On failure the error's message is the reason only; the FlagSet
  // wraps it as `invalid argument "<text>" for "--name" flag: <reason>`.
  virtual Result<void> Set(std::string_view text) = 0;
  // The current value as pflag prints it; read once at registration as the default.
  virtual std::string String() const = 0;
  // pflag's type name ("bool", "int", "string", "stringSlice", "duration", "ip", ...); help
  // shows it after the flag name ("strings" for "stringSlice", nothing for "bool").
  virtual std::string Type() const = 0;
  // Whether `default_text` is this type's zero value, which help leaves out.
  virtual bool IsZeroDefault(std::string_view default_text) const;
  // The value used when the flag is given without one ("true" for bools), or empty when the
  // flag requires a value.
  virtual std::string NoOptDefault() const { return {}; }
};

struct FlagSpec {
  std::string name;       // the long name without dashes; '_' is stored as '-'
  char shorthand = '\0';  // a letter for -x, or '\0'
  std::string usage;      // help text; a `backquoted` word replaces the type name in help
  std::string section;    // help section, lower case: "secure serving" -> "Secure serving flags:"
};

class FlagSet {
 public:
  FlagSet();
  ~FlagSet();
  FlagSet(const FlagSet&) = delete;
  FlagSet& operator=(const FlagSet&) = delete;

  // Registers a flag. Requires a unique name and shorthand (a programming error otherwise,
  // reported by assert).
  void Add(FlagSpec spec, std::unique_ptr<FlagValue> value);

  // Typed flags bound to `target`, whose current value is the default. Parsing as pflag's
  // BoolVar (strconv.ParseBool), IntVar (strconv.ParseInt base 0, 64 bits), StringVar,
  // StringSliceVar (each value one Go encoding/csv record; the first use replaces the default,
  // later uses append; "" is an empty list), DurationVar (time.ParseDuration) and IPVar
  // (net.ParseIP after trimming spaces: `failed to parse IP: "<text>"`; stores Go's
  // net.IP.String() form).
  void AddBool(FlagSpec spec, bool* target);
  void AddInt(FlagSpec spec, std::int64_t* target);
  void AddString(FlagSpec spec, std::string* target);
  void AddStringSlice(FlagSpec spec, std::vector<std::string>* target);
  void AddDuration(FlagSpec spec, std::chrono::nanoseconds* target);
  void AddIp(FlagSpec spec, std::string* target);

  // Parses `args` (the arguments after the program name). Returns the positional arguments in
  // order, or the first error (pflag stops at the first one).
  Result<std::vector<std::string>> Parse(std::span<const char* const> args);

  // Whether the flag was set on the command line (pflag's Changed); false for unknown names.
  bool Changed(std::string_view name) const;

  // pflag's FlagUsagesWrapped(columns) for the flags of one section; columns 0: no wrapping.
  std::string FlagUsages(int columns, std::string_view section) const;

  // component-base's PrintSections: for each section in order of first registration,
  // "\n<Section> flags:\n\n" and its usages; with columns > 24, each description is a block
  // on the lines below its flag, indented 16 columns and wrapped to `columns`.
  std::string SectionedUsages(int columns) const;

 private:
  struct Flag;
  Flag* Lookup(std::string_view name);
  Flag* LookupShorthand(char c);
  Result<void> SetFlag(Flag& flag, std::string_view value);
  Result<void> ParseLong(std::string_view arg, std::span<const char* const>& rest);
  Result<void> ParseShort(std::string_view arg, std::span<const char* const>& rest);
  std::string Usages(int columns, std::string_view section, bool block_layout) const;

  std::vector<std::unique_ptr<Flag>> flags_;
  std::vector<std::string> sections_;
};

// The width of the terminal on `fd`, or 0 when it is not a terminal (kube-apiserver asks
// stdout's terminal the same way before printing help).
int TerminalColumns(int fd);

}  // namespace kauth::config

#endif  // KAUTH_CONFIG_FLAG_PARSER_H_
