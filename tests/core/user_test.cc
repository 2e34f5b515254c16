#include "kauth/user.h"

#include <gtest/gtest.h>

namespace kauth {
namespace {

// R1.3: the well-known names are exact strings that RBAC rules and clients match on.
TEST(UserTest, R1_3_WellKnownNames) {
  struct Case {
    std::string_view got;
    std::string_view want;
  };
  const Case cases[] = {
      {kGroupMasters, "system:masters"},
      {kGroupNodes, "system:nodes"},
      {kGroupMonitoring, "system:monitoring"},
      {kGroupAuthenticated, "system:authenticated"},
      {kGroupUnauthenticated, "system:unauthenticated"},
      {kUserAnonymous, "system:anonymous"},
      {kUserAPIServer, "system:apiserver"},
      {kUserKubeProxy, "system:kube-proxy"},
      {kUserKubeControllerManager, "system:kube-controller-manager"},
      {kUserKubeScheduler, "system:kube-scheduler"},
      {kExtraCredentialID, "authentication.kubernetes.io/credential-id"},
      {kServiceAccountUserPrefix, "system:serviceaccount:"},
      {kGroupServiceAccounts, "system:serviceaccounts"},
      {kBootstrapUserPrefix, "system:bootstrap:"},
      {kGroupBootstrappers, "system:bootstrappers"},
  };
  for (const auto& c : cases) EXPECT_EQ(c.got, c.want);
}

// R1.2: groups are ordered and keep duplicates; extra maps a key to a list.
TEST(UserTest, R1_2_GroupsKeepOrderAndDuplicates) {
  UserInfo user{.name = "alice", .groups = {"b", "a", "b"}};
  user.extra["scopes"] = {"openid", "profile"};
  EXPECT_EQ(user.groups, (std::vector<std::string>{"b", "a", "b"}));
  EXPECT_EQ(user.extra.at("scopes"), (std::vector<std::string>{"openid", "profile"}));
  UserInfo reordered = user;
  reordered.groups = {"a", "b", "b"};
  EXPECT_NE(user, reordered);
}

}  // namespace
}  // namespace kauth
