#include "kauth/audiences.h"

#include <gtest/gtest.h>

namespace kauth {
namespace {

struct IntersectCase {
  const char* name;
  Audiences a;
  Audiences b;
  Audiences want;
};

// R1.4: the elements of B, in B's order, that also appear in A; duplicates in B kept.
TEST(AudiencesTest, R1_4_Intersect) {
  const IntersectCase cases[] = {
      {"both empty", {}, {}, {}},
      {"a empty", {}, {"x"}, {}},
      {"b empty", {"x"}, {}, {}},
      {"disjoint", {"x"}, {"y"}, {}},
      {"b order wins", {"a", "b", "c"}, {"c", "a"}, {"c", "a"}},
      {"duplicates in b kept", {"a"}, {"a", "b", "a"}, {"a", "a"}},
      {"duplicates in a do not duplicate", {"a", "a"}, {"a"}, {"a"}},
  };
  for (const auto& c : cases) {
    EXPECT_EQ(IntersectAudiences(c.a, c.b), c.want) << c.name;
  }
}

}  // namespace
}  // namespace kauth
