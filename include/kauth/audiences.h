// Audiences: the list of identifiers a credential is intended for (R1.1, R1.4).
#ifndef KAUTH_AUDIENCES_H_
#define KAUTH_AUDIENCES_H_

#include <string>
#include <vector>

namespace kauth {

using Audiences = std::vector<std::string>;

// R1.4: the elements of `b`, in b's order, that also appear in `a`. Duplicates in `b` are kept.
[[nodiscard]] Audiences IntersectAudiences(const Audiences& a, const Audiences& b);

}  // namespace kauth

#endif  // KAUTH_AUDIENCES_H_
