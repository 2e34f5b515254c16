// time.Parse for the one layout Kubernetes uses, following the steps of Go's general parser
// (which is what decides what metav1.Time accepts and the text of its errors).
#include "api/go_time.h"

#include <cstdio>
#include <optional>

namespace kauth::api {
namespace {

constexpr std::string_view kLayout = "2006-01-02T15:04:05Z07:00";
constexpr char kHex[] = "0123456789abcdef";

// Go's time.quote: printable ASCII as is ('"' and '\' escaped), every other byte as \xNN.
std::string Quote(std::string_view s) {
  std::string out = "\"";
  for (const char ch : s) {
    const auto c = static_cast<unsigned char>(ch);
    if (c >= 0x80 || c < ' ') {
      out += "\\x";
      out += kHex[c >> 4];
      out += kHex[c & 0xf];
    } else {
      if (c == '"' || c == '\\') out += '\\';
      out += ch;
    }
  }
  out += '"';
  return out;
}

Error CannotParse(std::string_view value, std::string_view value_elem,
                  std::string_view layout_elem) {
  return Error{"parsing time " + Quote(value) + " as " + Quote(kLayout) + ": cannot parse " +
               Quote(value_elem) + " as " + Quote(layout_elem)};
}

Error WithMessage(std::string_view value, std::string_view message) {
  return Error{"parsing time " + Quote(value) + std::string(message)};
}

bool IsDigitAt(std::string_view s, std::size_t i) {
  return i < s.size() && s[i] >= '0' && s[i] <= '9';
}

// Go's getnum: one or two digits (exactly two when `fixed`).
std::optional<int> GetNum(std::string_view& s, bool fixed) {
  if (!IsDigitAt(s, 0)) return std::nullopt;
  if (!IsDigitAt(s, 1)) {
    if (fixed) return std::nullopt;
    const int n = s[0] - '0';
    s.remove_prefix(1);
    return n;
  }
  const int n = (s[0] - '0') * 10 + (s[1] - '0');
  s.remove_prefix(2);
  return n;
}

// Go's time.atoi: optional sign, then only digits.
std::optional<std::int64_t> Atoi(std::string_view s) {
  bool negative = false;
  if (!s.empty() && (s[0] == '-' || s[0] == '+')) {
    negative = s[0] == '-';
    s.remove_prefix(1);
  }
  if (s.empty()) return std::nullopt;
  std::int64_t n = 0;
  for (const char c : s) {
    if (c < '0' || c > '9') return std::nullopt;
    n = n * 10 + (c - '0');
  }
  return negative ? -n : n;
}

bool IsLeap(std::int64_t year) { return year % 4 == 0 && (year % 100 != 0 || year % 400 == 0); }

int DaysIn(int month, std::int64_t year) {
  static constexpr int kDays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  if (month == 2 && IsLeap(year)) return 29;
  return kDays[month - 1];
}

// Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant's days_from_civil).
std::int64_t DaysFromCivil(std::int64_t y, int m, int d) {
  y -= m <= 2;
  const std::int64_t era = (y >= 0 ? y : y - 399) / 400;
  const std::int64_t yoe = y - era * 400;
  const std::int64_t doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;
  const std::int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + doe - 719468;
}

struct Civil {
  std::int64_t year;
  int month;
  int day;
};

Civil CivilFromDays(std::int64_t z) {
  z += 719468;
  const std::int64_t era = (z >= 0 ? z : z - 146096) / 146097;
  const std::int64_t doe = z - era * 146097;
  const std::int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  const std::int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  const std::int64_t mp = (5 * doy + 2) / 153;
  const auto day = static_cast<int>(doy - (153 * mp + 2) / 5 + 1);
  const auto month = static_cast<int>(mp < 10 ? mp + 3 : mp - 9);
  return {yoe + era * 400 + (month <= 2), month, day};
}

std::int64_t FloorDiv(std::int64_t a, std::int64_t b) {
  return a / b - ((a % b != 0) && ((a < 0) != (b < 0)));
}

}  // namespace

GoTime GoTime::FromSystemClock(std::chrono::system_clock::time_point time) {
  const auto nanos =
      std::chrono::duration_cast<std::chrono::nanoseconds>(time.time_since_epoch()).count();
  const std::int64_t seconds = FloorDiv(nanos, 1000000000);
  return {seconds, static_cast<std::int32_t>(nanos - seconds * 1000000000)};
}

Result<GoTime> ParseGoRfc3339(std::string_view value) {
  std::string_view rest = value;
  const auto literal = [&](char c) { return !rest.empty() && rest[0] == c; };

  // "2006"
  if (rest.size() < 4) return CannotParse(value, rest, "2006");
  const std::optional<std::int64_t> year = Atoi(rest.substr(0, 4));
  if (!year) return CannotParse(value, rest, "2006");
  rest.remove_prefix(4);

  // "-01": months are checked as they are read.
  if (!literal('-')) return CannotParse(value, rest, "-");
  rest.remove_prefix(1);
  std::string_view hold = rest;
  const std::optional<int> month = GetNum(rest, true);
  if (!month) return CannotParse(value, hold, "01");
  if (*month <= 0 || *month > 12) return WithMessage(value, ": month out of range");

  // "-02": the day is checked against the month at the end, as Go does.
  if (!literal('-')) return CannotParse(value, rest, "-");
  rest.remove_prefix(1);
  hold = rest;
  const std::optional<int> day = GetNum(rest, true);
  if (!day) return CannotParse(value, hold, "02");

  // "T15"
  if (!literal('T')) return CannotParse(value, rest, "T");
  rest.remove_prefix(1);
  hold = rest;
  const std::optional<int> hour = GetNum(rest, false);
  if (!hour) return CannotParse(value, hold, "15");
  if (*hour >= 24) return WithMessage(value, ": hour out of range");

  // ":04"
  if (!literal(':')) return CannotParse(value, rest, ":");
  rest.remove_prefix(1);
  hold = rest;
  const std::optional<int> minute = GetNum(rest, true);
  if (!minute) return CannotParse(value, hold, "04");
  if (*minute >= 60) return WithMessage(value, ": minute out of range");

  // ":05", then a fractional second the layout does not name, which Go accepts.
  if (!literal(':')) return CannotParse(value, rest, ":");
  rest.remove_prefix(1);
  hold = rest;
  const std::optional<int> second = GetNum(rest, true);
  if (!second) return CannotParse(value, hold, "05");
  if (*second >= 60) return WithMessage(value, ": second out of range");
  std::int64_t nanos = 0;
  if (rest.size() >= 2 && (rest[0] == '.' || rest[0] == ',') && IsDigitAt(rest, 1)) {
    std::size_t n = 2;
    while (IsDigitAt(rest, n)) ++n;
    const std::size_t used = n > 10 ? 10 : n;  // Go keeps nine digits
    nanos = *Atoi(rest.substr(1, used - 1));
    for (std::size_t i = used; i < 10; ++i) nanos *= 10;
    rest.remove_prefix(n);
  }

  // "Z07:00"
  std::int64_t offset = 0;
  if (literal('Z')) {
    rest.remove_prefix(1);
  } else {
    hold = rest;
    if (rest.size() < 6 || rest[3] != ':') return CannotParse(value, hold, "Z07:00");
    std::string_view hh = rest.substr(1, 2);
    std::string_view mm = rest.substr(4, 2);
    const std::optional<int> zone_hour = GetNum(hh, true);
    const std::optional<int> zone_minute = zone_hour ? GetNum(mm, true) : std::nullopt;
    // Go checks the ranges before the digits and the sign, the minute last.
    if (zone_minute && *zone_minute > 60) {
      return WithMessage(value, ": time zone offset minute out of range");
    }
    if (zone_hour && *zone_hour > 24) {
      return WithMessage(value, ": time zone offset hour out of range");
    }
    if (!zone_hour || !zone_minute || (rest[0] != '+' && rest[0] != '-')) {
      return CannotParse(value, hold, "Z07:00");
    }
    offset = (*zone_hour * 60 + *zone_minute) * 60;
    if (rest[0] == '-') offset = -offset;
    rest.remove_prefix(6);
  }
  if (!rest.empty()) return WithMessage(value, ": extra text: " + Quote(rest));
  if (*day < 1 || *day > DaysIn(*month, *year)) return WithMessage(value, ": day out of range");

  const std::int64_t days = DaysFromCivil(*year, *month, *day);
  const std::int64_t seconds = days * 86400 + *hour * 3600 + *minute * 60 + *second - offset;
  return GoTime{seconds, static_cast<std::int32_t>(nanos)};
}

std::string FormatRfc3339Utc(GoTime time) {
  const std::int64_t days = FloorDiv(time.seconds, 86400);
  const std::int64_t in_day = time.seconds - days * 86400;
  const Civil civil = CivilFromDays(days);
  char buffer[64];
  const long long year = civil.year;
  std::snprintf(buffer, sizeof(buffer), "%s%04lld-%02d-%02dT%02d:%02d:%02dZ", year < 0 ? "-" : "",
                year < 0 ? -year : year, civil.month, civil.day, static_cast<int>(in_day / 3600),
                static_cast<int>(in_day / 60 % 60), static_cast<int>(in_day % 60));
  return buffer;
}

}  // namespace kauth::api
