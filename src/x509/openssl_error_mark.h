// OpenSslErrorMark: drops the OpenSSL errors raised during its lifetime from the thread's error
// queue, and only those. Rejected certificates and signatures are expected outcomes here, and
// must neither accumulate on the queue nor disturb errors an enclosing caller is about to read.
#ifndef KAUTH_X509_OPENSSL_ERROR_MARK_H_
#define KAUTH_X509_OPENSSL_ERROR_MARK_H_

#include <openssl/err.h>

namespace kauth::x509_internal {

class OpenSslErrorMark {
 public:
  OpenSslErrorMark() { ERR_set_mark(); }
  ~OpenSslErrorMark() { ERR_pop_to_mark(); }
  OpenSslErrorMark(const OpenSslErrorMark&) = delete;
  OpenSslErrorMark& operator=(const OpenSslErrorMark&) = delete;
};

}  // namespace kauth::x509_internal

#endif  // KAUTH_X509_OPENSSL_ERROR_MARK_H_
