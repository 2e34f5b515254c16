// Boost.JSON's implementation, compiled once for the tests, which use it as an independent parser
// to check the structure of the bodies kauth writes.
#include <boost/json/src.hpp>
