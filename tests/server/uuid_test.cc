#include "server/uuid.h"

#include <gtest/gtest.h>

#include <regex>
#include <set>
#include <string>

namespace kauth::server {
namespace {

TEST(UuidTest, NewUuidV4IsCanonicalVersion4Rfc4122) {
  const std::regex pattern("[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}");
  std::set<std::string> seen;
  for (int i = 0; i < 1000; ++i) {
    const std::string id = NewUuidV4();
    ASSERT_TRUE(std::regex_match(id, pattern)) << id;
    seen.insert(id);
  }
  EXPECT_EQ(seen.size(), 1000u);
}

}  // namespace
}  // namespace kauth::server
