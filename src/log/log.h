// kauthd's logging: klog's text format and -v levels, one line per event, structured key/value
// pairs. kube-apiserver operators grep for klog lines; kauthd writes the same shape:
//
//   E1128 19:04:07.123456    4242 authentication.cc] "Unable to authenticate the request"
//   err="invalid bearer token"
//
// Never pass a token or other secret as a value. Thread-safe; lines from different threads never
// interleave. Lines are written by a background thread (a request never waits for standard
// error), in order; Flush waits for them, and runs by itself at exit.
#ifndef KAUTH_LOG_LOG_H_
#define KAUTH_LOG_LOG_H_

#include <initializer_list>
#include <string>
#include <string_view>
#include <utility>

namespace kauth::log {

using KeyValues = std::initializer_list<std::pair<std::string_view, std::string_view>>;

// -v / --v: Info lines at level <= verbosity are written. Errors and warnings always are.
void SetVerbosity(int verbosity);
int Verbosity();
inline bool V(int level) { return level <= Verbosity(); }

// `source` names the calling file (klog prints file:line; kauth prints the file's base name).
void Info(std::string_view source, std::string_view message, KeyValues values = {});
void Warning(std::string_view source, std::string_view message, KeyValues values = {});
void Error(std::string_view source, std::string_view message, KeyValues values = {});

// Waits until every line logged so far was written.
void Flush();

// The formatted line (without the trailing newline), for tests.
std::string FormatLine(char severity, std::string_view source, std::string_view message,
                       KeyValues values);

// Sends lines to `sink` instead of standard error (tests); nullptr restores standard error.
void SetSinkForTesting(void (*sink)(std::string_view line));

}  // namespace kauth::log

#endif  // KAUTH_LOG_LOG_H_
