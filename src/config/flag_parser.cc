#include "config/flag_parser.h"

#include <arpa/inet.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include <algorithm>
#include <cassert>
#include <cstdio>
#include <utility>

#include "config/go_duration.h"
#include "config/go_strconv.h"
#include "core/go_format.h"
#include "core/strings.h"
#include "token/csv_reader.h"
#include "x509/go_x509_errors.h"

namespace kauth::config {

struct FlagSet::Flag {
  FlagSpec spec;
  std::unique_ptr<FlagValue> value;
  std::string default_text;
  bool changed = false;
};

namespace {

// component-base's WordSepNormalizeFunc: "_" and "-" are the same in flag names.
std::string Normalize(std::string_view name) {
  std::string out(name);
  std::replace(out.begin(), out.end(), '_', '-');
  return out;
}

std::string Spaces(std::size_t n) { return std::string(n, ' '); }

std::string ReplaceAll(std::string_view text, std::string_view from, std::string_view to) {
  std::string out;
  std::size_t pos = 0;
  for (;;) {
    const std::size_t hit = text.find(from, pos);
    if (hit == std::string_view::npos) break;
    out.append(text.substr(pos, hit - pos));
    out.append(to);
    pos = hit + from.size();
  }
  out.append(text.substr(pos));
  return out;
}

// pflag's wrapN: splits `s` at the last blank before byte `i`, allowing `slop` bytes more when
// that takes the whole rest (no orphan word on the last line).
std::pair<std::string_view, std::string_view> WrapN(std::size_t i, std::size_t slop,
                                                    std::string_view s) {
  if (i + slop > s.size()) return {s, {}};
  const std::string_view head = s.substr(0, i);
  const std::size_t w = head.find_last_of(" \t\n");
  if (w == std::string_view::npos || w == 0) return {s, {}};
  const std::size_t nl = head.rfind('\n');
  if (nl != std::string_view::npos && nl > 0 && nl < w) return {s.substr(0, nl), s.substr(nl + 1)};
  return {s.substr(0, w), s.substr(w + 1)};
}

// pflag's wrap: `s` wrapped to `columns` with later lines indented `indent`; when fewer than 24
// columns remain, the text becomes a block indented 16 on the next line instead.
std::string Wrap(std::size_t indent, int columns, std::string_view s) {
  if (columns == 0) return ReplaceAll(s, "\n", "\n" + Spaces(indent));
  const auto w = static_cast<std::size_t>(columns);
  std::size_t width = w > indent ? w - indent : 0;
  std::string r;
  if (w < indent || width < 24) {
    indent = 16;
    width = w > indent ? w - indent : 0;
    r += "\n" + Spaces(indent);
  }
  // pflag returns without the block prefix here; kept so narrow terminals print the same.
  if (w < indent || width < 24) return ReplaceAll(s, "\n", r);
  constexpr std::size_t kSlop = 5;
  width -= kSlop;
  const std::string newline_indent = "\n" + Spaces(indent);
  auto [line, rest] = WrapN(width, kSlop, s);
  r += ReplaceAll(line, "\n", newline_indent);
  while (!rest.empty()) {
    auto [next, remaining] = WrapN(width, kSlop, rest);
    r += newline_indent + ReplaceAll(next, "\n", newline_indent);
    rest = remaining;
  }
  return r;
}

// pflag's UnquoteUsage: a `backquoted` word in the usage names the value; otherwise the type.
std::pair<std::string, std::string> UnquoteUsage(const FlagValue& value, std::string_view usage) {
  const std::size_t open = usage.find('`');
  if (open != std::string_view::npos) {
    const std::size_t close = usage.find('`', open + 1);
    if (close != std::string_view::npos) {
      std::string name(usage.substr(open + 1, close - open - 1));
      std::string unquoted(usage.substr(0, open));
      unquoted += name;
      unquoted.append(usage.substr(close + 1));
      return {name, unquoted};
    }
  }
  std::string name = value.Type();
  if (name == "bool") {
    name.clear();
  } else if (name == "float64") {
    name = "float";
  } else if (name == "int64") {
    name = "int";
  } else if (name == "uint64") {
    name = "uint";
  } else if (name == "stringSlice") {
    name = "strings";
  } else if (name == "intSlice") {
    name = "ints";
  } else if (name == "uintSlice") {
    name = "uints";
  } else if (name == "boolSlice") {
    name = "bools";
  }
  return {name, std::string(usage)};
}

// --- Typed values ---------------------------------------------------------------------------

class BoolValue final : public FlagValue {
 public:
  explicit BoolValue(bool* target) : target_(target) {}
  Result<void> Set(std::string_view text) override {
    auto parsed = ParseGoBool(text);
    if (parsed.has_error()) return parsed.error();
    *target_ = *parsed;
    return {};
  }
  std::string String() const override { return *target_ ? "true" : "false"; }
  std::string Type() const override { return "bool"; }
  bool IsZeroDefault(std::string_view d) const override { return d == "false"; }
  std::string NoOptDefault() const override { return "true"; }

 private:
  bool* target_;
};

class IntValue final : public FlagValue {
 public:
  explicit IntValue(std::int64_t* target) : target_(target) {}
  Result<void> Set(std::string_view text) override {
    auto parsed = ParseGoInt(text, 0, 64);
    if (parsed.has_error()) return parsed.error();
    *target_ = *parsed;
    return {};
  }
  std::string String() const override { return std::to_string(*target_); }
  std::string Type() const override { return "int"; }
  bool IsZeroDefault(std::string_view d) const override { return d == "0"; }

 private:
  std::int64_t* target_;
};

class StringValue final : public FlagValue {
 public:
  explicit StringValue(std::string* target) : target_(target) {}
  Result<void> Set(std::string_view text) override {
    target_->assign(text);
    return {};
  }
  std::string String() const override { return *target_; }
  std::string Type() const override { return "string"; }
  bool IsZeroDefault(std::string_view d) const override { return d.empty(); }

 private:
  std::string* target_;
};

// pflag's readAsCSV: "" is an empty list; otherwise the first record of Go's encoding/csv.
Result<std::vector<std::string>> ReadAsCsv(std::string_view text) {
  std::vector<std::string> out;
  if (text.empty()) return out;
  CsvReader reader(text);
  auto next = reader.Next();
  if (next.has_error()) return Error{next.error().ToString()};
  // Only line breaks: csv.Reader.Read returns io.EOF, which pflag reports as is.
  if (*next == nullptr) return Error{"EOF"};
  for (const std::string_view field : (*next)->fields) out.emplace_back(field);
  return out;
}

// Go's unicode.IsSpace for the first rune of a field: csv.Writer quotes such fields.
bool StartsWithSpace(std::string_view field) {
  if (field.empty()) return false;
  const auto c = static_cast<unsigned char>(field[0]);
  if (c == ' ' || (c >= '\t' && c <= '\r')) return true;
  // The other spaces are all two- or three-byte UTF-8 sequences.
  char32_t r = 0;
  if ((c & 0xE0) == 0xC0 && field.size() >= 2) {
    r = (char32_t{c & 0x1Fu} << 6) | (static_cast<unsigned char>(field[1]) & 0x3Fu);
  } else if ((c & 0xF0) == 0xE0 && field.size() >= 3) {
    r = (char32_t{c & 0x0Fu} << 12) | ((static_cast<unsigned char>(field[1]) & 0x3Fu) << 6) |
        (static_cast<unsigned char>(field[2]) & 0x3Fu);
  }
  return r == 0x85 || r == 0xA0 || r == 0x1680 || (r >= 0x2000 && r <= 0x200A) || r == 0x2028 ||
         r == 0x2029 || r == 0x202F || r == 0x205F || r == 0x3000;
}

// pflag's writeAsCSV: Go's csv.Writer output of one record without the line break.
std::string WriteAsCsv(const std::vector<std::string>& values) {
  std::string out;
  for (std::size_t i = 0; i < values.size(); ++i) {
    if (i != 0) out += ',';
    const std::string& field = values[i];
    const bool quote =
        !field.empty() && (field == "\\." || field.find_first_of(",\"\r\n") != std::string::npos ||
                           StartsWithSpace(field));
    if (!quote) {
      out += field;
      continue;
    }
    out += '"';
    for (const char c : field) {
      if (c == '"') out += '"';
      out += c;
    }
    out += '"';
  }
  return out;
}

class StringSliceValue final : public FlagValue {
 public:
  explicit StringSliceValue(std::vector<std::string>* target) : target_(target) {}
  Result<void> Set(std::string_view text) override {
    auto values = ReadAsCsv(text);
    if (values.has_error()) return values.error();
    if (!changed_) {
      *target_ = std::move(*values);
    } else {
      target_->insert(target_->end(), values->begin(), values->end());
    }
    changed_ = true;
    return {};
  }
  std::string String() const override { return "[" + WriteAsCsv(*target_) + "]"; }
  std::string Type() const override { return "stringSlice"; }
  bool IsZeroDefault(std::string_view d) const override { return d == "[]"; }

 private:
  std::vector<std::string>* target_;
  bool changed_ = false;
};

class DurationValue final : public FlagValue {
 public:
  explicit DurationValue(std::chrono::nanoseconds* target) : target_(target) {}
  Result<void> Set(std::string_view text) override {
    auto parsed = ParseGoDuration(text);
    if (parsed.has_error()) return parsed.error();
    *target_ = *parsed;
    return {};
  }
  std::string String() const override { return FormatGoDuration(*target_); }
  std::string Type() const override { return "duration"; }
  bool IsZeroDefault(std::string_view d) const override { return d == "0" || d == "0s"; }

 private:
  std::chrono::nanoseconds* target_;
};

// Go's net.IP.String(): dotted quad for IPv4 and IPv4-mapped IPv6, otherwise RFC 5952 (lower
// case, no leading zeros, the first longest run of two or more zero groups as "::").
std::string FormatIpv6(const unsigned char (&b)[16]) {
  const bool mapped = std::all_of(b, b + 10, [](unsigned char x) { return x == 0; }) &&
                      b[10] == 0xFF && b[11] == 0xFF;
  char buf[64];
  if (mapped) {
    std::snprintf(buf, sizeof(buf), "%u.%u.%u.%u", b[12], b[13], b[14], b[15]);
    return buf;
  }
  unsigned groups[8];
  for (int i = 0; i < 8; ++i) groups[i] = (unsigned{b[2 * i]} << 8) | b[2 * i + 1];
  int best_start = -1;
  int best_len = 0;
  for (int i = 0; i < 8;) {
    if (groups[i] != 0) {
      ++i;
      continue;
    }
    int j = i;
    while (j < 8 && groups[j] == 0) ++j;
    if (j - i > best_len && j - i >= 2) {
      best_start = i;
      best_len = j - i;
    }
    i = j;
  }
  std::string out;
  for (int i = 0; i < 8; ++i) {
    if (i == best_start) {
      out += "::";
      i += best_len - 1;
      continue;
    }
    if (!out.empty() && out.back() != ':') out += ':';
    std::snprintf(buf, sizeof(buf), "%x", groups[i]);
    out += buf;
  }
  return out;
}

class IpValue final : public FlagValue {
 public:
  explicit IpValue(std::string* target) : target_(target) {}
  Result<void> Set(std::string_view text) override {
    const std::string trimmed(TrimSpace(text));
    unsigned char bytes[16];
    if (inet_pton(AF_INET, trimmed.c_str(), bytes) == 1) {
      char buf[16];
      std::snprintf(buf, sizeof(buf), "%u.%u.%u.%u", bytes[0], bytes[1], bytes[2], bytes[3]);
      *target_ = buf;
      return {};
    }
    if (inet_pton(AF_INET6, trimmed.c_str(), bytes) == 1) {
      *target_ = FormatIpv6(bytes);
      return {};
    }
    return Error{"failed to parse IP: " + GoQuote(text)};
  }
  std::string String() const override { return target_->empty() ? "<nil>" : *target_; }
  std::string Type() const override { return "ip"; }
  bool IsZeroDefault(std::string_view d) const override { return d == "<nil>"; }

 private:
  std::string* target_;
};

}  // namespace

bool FlagValue::IsZeroDefault(std::string_view default_text) const {
  // pflag's fallback for custom Value types.
  return default_text == "false" || default_text == "<nil>" || default_text.empty() ||
         default_text == "0";
}

FlagSet::FlagSet() = default;
FlagSet::~FlagSet() = default;

void FlagSet::Add(FlagSpec spec, std::unique_ptr<FlagValue> value) {
  spec.name = Normalize(spec.name);
  assert(Lookup(spec.name) == nullptr && "flag redefined");
  assert((spec.shorthand == '\0' || LookupShorthand(spec.shorthand) == nullptr) &&
         "shorthand redefined");
  if (std::find(sections_.begin(), sections_.end(), spec.section) == sections_.end()) {
    sections_.push_back(spec.section);
  }
  auto flag = std::make_unique<Flag>();
  flag->default_text = value->String();
  flag->spec = std::move(spec);
  flag->value = std::move(value);
  flags_.push_back(std::move(flag));
}

void FlagSet::AddBool(FlagSpec spec, bool* target) {
  Add(std::move(spec), std::make_unique<BoolValue>(target));
}
void FlagSet::AddInt(FlagSpec spec, std::int64_t* target) {
  Add(std::move(spec), std::make_unique<IntValue>(target));
}
void FlagSet::AddString(FlagSpec spec, std::string* target) {
  Add(std::move(spec), std::make_unique<StringValue>(target));
}
void FlagSet::AddStringSlice(FlagSpec spec, std::vector<std::string>* target) {
  Add(std::move(spec), std::make_unique<StringSliceValue>(target));
}
void FlagSet::AddDuration(FlagSpec spec, std::chrono::nanoseconds* target) {
  Add(std::move(spec), std::make_unique<DurationValue>(target));
}
void FlagSet::AddIp(FlagSpec spec, std::string* target) {
  Add(std::move(spec), std::make_unique<IpValue>(target));
}

FlagSet::Flag* FlagSet::Lookup(std::string_view name) {
  const std::string normalized = Normalize(name);
  for (auto& flag : flags_) {
    if (flag->spec.name == normalized) return flag.get();
  }
  return nullptr;
}

FlagSet::Flag* FlagSet::LookupShorthand(char c) {
  for (auto& flag : flags_) {
    if (flag->spec.shorthand != '\0' && flag->spec.shorthand == c) return flag.get();
  }
  return nullptr;
}

bool FlagSet::Changed(std::string_view name) const {
  const std::string normalized = Normalize(name);
  for (const auto& flag : flags_) {
    if (flag->spec.name == normalized) return flag->changed;
  }
  return false;
}

Result<void> FlagSet::SetFlag(Flag& flag, std::string_view value) {
  auto set = flag.value->Set(value);
  if (set.has_error()) {
    std::string display;
    if (flag.spec.shorthand != '\0') {
      display = std::string("-") + flag.spec.shorthand + ", --" + flag.spec.name;
    } else {
      display = "--" + flag.spec.name;
    }
    return Error{"invalid argument " + GoQuote(value) + " for " + GoQuote(display) +
                 " flag: " + set.error().message};
  }
  flag.changed = true;
  return {};
}

Result<void> FlagSet::ParseLong(std::string_view arg, std::span<const char* const>& rest) {
  const std::string_view body = arg.substr(2);
  if (body.empty() || body[0] == '-' || body[0] == '=') {
    return Error{"bad flag syntax: " + std::string(arg)};
  }
  const std::size_t eq = body.find('=');
  const std::string_view name = body.substr(0, eq);
  Flag* flag = Lookup(name);
  if (flag == nullptr) return Error{"unknown flag: --" + std::string(name)};
  std::string value;
  if (eq != std::string_view::npos) {
    value = body.substr(eq + 1);
  } else if (const std::string no_opt = flag->value->NoOptDefault(); !no_opt.empty()) {
    value = no_opt;
  } else if (!rest.empty()) {
    value = rest[0] != nullptr ? rest[0] : "";
    rest = rest.subspan(1);
  } else {
    return Error{"flag needs an argument: " + std::string(arg)};
  }
  return SetFlag(*flag, value);
}

Result<void> FlagSet::ParseShort(std::string_view arg, std::span<const char* const>& rest) {
  std::string_view shorthands = arg.substr(1);
  while (!shorthands.empty()) {
    const char c = shorthands[0];
    Flag* flag = LookupShorthand(c);
    if (flag == nullptr) {
      return Error{"unknown shorthand flag: " + GoQuoteByte(static_cast<unsigned char>(c)) +
                   " in -" + std::string(shorthands)};
    }
    std::string value;
    const std::string no_opt = flag->value->NoOptDefault();
    if (shorthands.size() > 2 && shorthands[1] == '=') {
      value = shorthands.substr(2);
      shorthands = {};
    } else if (!no_opt.empty()) {
      value = no_opt;
      shorthands.remove_prefix(1);
    } else if (shorthands.size() > 1) {
      value = shorthands.substr(1);
      shorthands = {};
    } else if (!rest.empty()) {
      value = rest[0] != nullptr ? rest[0] : "";
      rest = rest.subspan(1);
      shorthands = {};
    } else {
      return Error{"flag needs an argument: " + GoQuoteByte(static_cast<unsigned char>(c)) +
                   " in -" + std::string(shorthands)};
    }
    auto set = SetFlag(*flag, value);
    if (set.has_error()) return set;
  }
  return {};
}

Result<std::vector<std::string>> FlagSet::Parse(std::span<const char* const> args) {
  std::vector<std::string> positional;
  while (!args.empty()) {
    const std::string_view s = args[0] != nullptr ? args[0] : "";
    args = args.subspan(1);
    if (s.size() < 2 || s[0] != '-') {
      positional.emplace_back(s);
      continue;
    }
    Result<void> parsed;
    if (s[1] == '-') {
      if (s.size() == 2) {
        for (const char* a : args) positional.emplace_back(a != nullptr ? a : "");
        break;
      }
      parsed = ParseLong(s, args);
    } else {
      parsed = ParseShort(s, args);
    }
    if (parsed.has_error()) return parsed.error();
  }
  return positional;
}

std::string FlagSet::Usages(int columns, std::string_view section, bool block_layout) const {
  std::vector<const Flag*> flags;
  for (const auto& flag : flags_) {
    if (flag->spec.section == section) flags.push_back(flag.get());
  }
  std::sort(flags.begin(), flags.end(),
            [](const Flag* a, const Flag* b) { return a->spec.name < b->spec.name; });

  std::vector<std::string> lines;
  std::size_t maxlen = 0;
  for (const Flag* flag : flags) {
    std::string line;
    if (flag->spec.shorthand != '\0') {
      line = std::string("  -") + flag->spec.shorthand + ", --" + flag->spec.name;
    } else {
      line = "      --" + flag->spec.name;
    }
    auto [varname, usage] = UnquoteUsage(*flag->value, flag->spec.usage);
    if (!varname.empty()) line += " " + varname;
    const std::string no_opt = flag->value->NoOptDefault();
    const std::string type = flag->value->Type();
    if (!no_opt.empty()) {
      if (type == "string") {
        line += "[=\"" + no_opt + "\"]";
      } else if (type == "bool") {
        if (no_opt != "true") line += "[=" + no_opt + "]";
      } else if (type == "count") {
        if (no_opt != "+1") line += "[=" + no_opt + "]";
      } else {
        line += "[=" + no_opt + "]";
      }
    }
    // The NUL marks where the description starts until the alignment is known.
    line += '\0';
    maxlen = std::max(maxlen, line.size());
    line += usage;
    if (!flag->value->IsZeroDefault(flag->default_text)) {
      if (type == "string") {
        line += " (default " + GoQuote(flag->default_text) + ")";
      } else {
        line += " (default " + flag->default_text + ")";
      }
    }
    lines.push_back(std::move(line));
  }
  if (block_layout) {
    // PrintSections adds a flag named with columns-24 'z's (type int) to force the block
    // layout; its line is cut from the output but still sets the alignment.
    maxlen = std::max(maxlen, static_cast<std::size_t>(columns) - 11);
  }
  std::string out;
  for (const std::string& line : lines) {
    const std::size_t sidx = line.find('\0');
    out += line.substr(0, sidx);
    out += ' ';
    out += Spaces(maxlen - sidx);
    out += ' ';
    out += Wrap(maxlen + 2, columns, std::string_view(line).substr(sidx + 1));
    out += '\n';
  }
  return out;
}

std::string FlagSet::FlagUsages(int columns, std::string_view section) const {
  return Usages(columns, section, /*block_layout=*/false);
}

std::string FlagSet::SectionedUsages(int columns) const {
  std::string out;
  for (const std::string& section : sections_) {
    const std::string usages = Usages(columns, section, /*block_layout=*/columns > 24);
    if (usages.empty()) continue;
    std::string title = section;
    if (!title.empty() && title[0] >= 'a' && title[0] <= 'z') {
      title[0] = static_cast<char>(title[0] - 'a' + 'A');
    }
    out += "\n" + title + " flags:\n\n" + usages;
  }
  return out;
}

int TerminalColumns(int fd) {
  winsize size{};
  if (::ioctl(fd, TIOCGWINSZ, &size) != 0) return 0;
  return size.ws_col;
}

}  // namespace kauth::config
