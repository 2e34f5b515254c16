// Random (version 4) UUIDs, the Audit-Id kube-apiserver gives a request that brings none.
#ifndef KAUTH_SERVER_UUID_H_
#define KAUTH_SERVER_UUID_H_

#include <string>

namespace kauth::server {

// A fresh RFC 4122 version 4 UUID in its canonical lower-case form,
// e.g. "0b5c5b1e-8d44-4b0a-9c7e-3f1d2a6b9e10". Thread-safe.
std::string NewUuidV4();

}  // namespace kauth::server

#endif  // KAUTH_SERVER_UUID_H_
