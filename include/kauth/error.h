// Error and Result<T>: how configuration and loading fail (never the request path, which uses
// AuthResult). The message is meant for an operator: it names the file, record and reason.
#ifndef KAUTH_ERROR_H_
#define KAUTH_ERROR_H_

#include <boost/system/result.hpp>
#include <string>
#include <utility>

namespace kauth {

struct Error {
  std::string message;

  friend bool operator==(const Error&, const Error&) = default;
};

template <typename T>
using Result = boost::system::result<T, Error>;

// Found by boost::system::result::value() through ADL when a Result holding an Error is read as a
// value: a programming error, reported as std::logic_error carrying the message.
[[noreturn]] void throw_exception_from_error(const Error& error, const boost::source_location& loc);

}  // namespace kauth

#endif  // KAUTH_ERROR_H_
