#include "kauth/audiences.h"

#include <algorithm>

namespace kauth {

Audiences IntersectAudiences(const Audiences& a, const Audiences& b) {
  Audiences out;
  for (const std::string& candidate : b) {
    if (std::find(a.begin(), a.end(), candidate) != a.end()) out.push_back(candidate);
  }
  return out;
}

}  // namespace kauth
