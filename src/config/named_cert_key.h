// One --tls-sni-cert-key value, as component-base's NamedCertKey reads and prints it:
// "certfile,keyfile" or "certfile,keyfile:name1,name2". Parsed apart from the flag so that a fuzz
// target (fuzz/named_cert_key_fuzz.cc) can check it against an independent reading.
//
// Value type and pure functions; thread-safe.
#ifndef KAUTH_CONFIG_NAMED_CERT_KEY_H_
#define KAUTH_CONFIG_NAMED_CERT_KEY_H_

#include <string>
#include <string_view>
#include <vector>

#include "kauth/error.h"

namespace kauth::config {

struct NamedCertKey {
  std::string cert_file;
  std::string key_file;
  // Empty: the certificate's own names (its CN when it is a domain name, and its DNS SANs).
  std::vector<std::string> names;

  friend bool operator==(const NamedCertKey&, const NamedCertKey&) = default;
};

// Splits `text` at its first ':' into the file pair and the names; the pair at its one ',' and
// the names at every ','. Each part is trimmed of Unicode white space (Go's strings.TrimSpace),
// so neither file name holds ',' or ':' and no name holds ','; a name may be empty ("a,b:x,,y").
// Errors, in component-base's words:
//   empty names list is not allowed                          (nothing but blanks after ':')
//   expected comma separated certificate and key file paths  (no ',' or more than one before ':')
Result<NamedCertKey> ParseNamedCertKey(std::string_view text);

// "certfile,keyfile" or "certfile,keyfile:name1,name2": what ParseNamedCertKey reads back as
// `value` for any value it returned.
std::string FormatNamedCertKey(const NamedCertKey& value);

}  // namespace kauth::config

#endif  // KAUTH_CONFIG_NAMED_CERT_KEY_H_
