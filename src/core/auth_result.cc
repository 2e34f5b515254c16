#include "kauth/auth_result.h"

#include <cstdio>
#include <cstdlib>
#include <utility>

namespace kauth {
namespace {

constexpr const char* kOutcomeNames[] = {"NotApplicable", "Authenticated", "Rejected"};

}  // namespace

const AuthResult::Storage& AuthResult::Checked(std::size_t index) const {
  if (storage_.index() != index) {
    // Reading a user from a rejection would be a security bug, so this is fatal in every build.
    std::fprintf(stderr, "kauth: AuthResult accessed as %s but holds %s\n", kOutcomeNames[index],
                 kOutcomeNames[storage_.index()]);
    std::abort();
  }
  return storage_;
}

AuthResult::Storage& AuthResult::CheckedMutable(std::size_t index) {
  return const_cast<Storage&>(std::as_const(*this).Checked(index));
}

}  // namespace kauth
