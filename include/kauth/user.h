// UserInfo: the identity an authenticator establishes, and Kubernetes' well-known names (R1.2,
// R1.3).
//
// A plain value type: copy it freely; no thread-safety concerns beyond those of std::string.
#ifndef KAUTH_USER_H_
#define KAUTH_USER_H_

#include <map>
#include <string>
#include <string_view>
#include <vector>

namespace kauth {

// Extra attributes, ordered by key so that serialisation is deterministic.
using Extra = std::map<std::string, std::vector<std::string>>;

struct UserInfo {
  std::string name;
  std::string uid;
  // Ordered; duplicates are allowed and kept (R1.2).
  std::vector<std::string> groups;
  Extra extra;

  friend bool operator==(const UserInfo&, const UserInfo&) = default;
};

// Well-known values (R1.3). Exact strings: clients and RBAC rules observe them.
inline constexpr std::string_view kGroupMasters = "system:masters";
inline constexpr std::string_view kGroupNodes = "system:nodes";
inline constexpr std::string_view kGroupMonitoring = "system:monitoring";
inline constexpr std::string_view kGroupAuthenticated = "system:authenticated";
inline constexpr std::string_view kGroupUnauthenticated = "system:unauthenticated";
inline constexpr std::string_view kUserAnonymous = "system:anonymous";
inline constexpr std::string_view kUserAPIServer = "system:apiserver";
inline constexpr std::string_view kUserKubeProxy = "system:kube-proxy";
inline constexpr std::string_view kUserKubeControllerManager = "system:kube-controller-manager";
inline constexpr std::string_view kUserKubeScheduler = "system:kube-scheduler";
inline constexpr std::string_view kExtraCredentialID = "authentication.kubernetes.io/credential-id";
inline constexpr std::string_view kServiceAccountUserPrefix = "system:serviceaccount:";
inline constexpr std::string_view kGroupServiceAccounts = "system:serviceaccounts";
inline constexpr std::string_view kBootstrapUserPrefix = "system:bootstrap:";
inline constexpr std::string_view kGroupBootstrappers = "system:bootstrappers";

}  // namespace kauth

#endif  // KAUTH_USER_H_
