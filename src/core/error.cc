#include "kauth/error.h"

#include <stdexcept>

namespace kauth {

void throw_exception_from_error(const Error& error, const boost::source_location& /*loc*/) {
  throw std::logic_error("kauth::Result read as a value but holds an error: " + error.message);
}

}  // namespace kauth
