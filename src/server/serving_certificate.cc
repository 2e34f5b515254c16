#include "server/serving_certificate.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <openssl/bio.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/rsa.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>
#include <sys/stat.h>
#include <unistd.h>

#include <array>
#include <cctype>
#include <cerrno>
#include <chrono>
#include <cstring>
#include <ctime>
#include <filesystem>
#include <memory>
#include <string>

#include "log/log.h"
#include "server/openssl_util.h"
#include "server/serving_certificates.h"

namespace kauth::server {
namespace {

constexpr std::string_view kSource = "serving_certificate.cc";
constexpr std::string_view kGeneratedSource = "generated self-signed certificate";

// Go's syscall error texts are strerror's in lower case ("no such file or directory").
std::string ErrnoText(int error) {
  std::string text = std::strerror(error);
  if (!text.empty()) text[0] = static_cast<char>(std::tolower(static_cast<unsigned char>(text[0])));
  return text;
}

// The OpenSSL error queue as one line, cleared.

Result<std::string> ReadFile(const std::string& path) {
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return Error{"open " + path + ": " + ErrnoText(errno)};
  std::string data;
  std::array<char, 16384> chunk;
  for (;;) {
    const ssize_t n = ::read(fd, chunk.data(), chunk.size());
    if (n < 0) {
      if (errno == EINTR) continue;
      const int error = errno;
      ::close(fd);
      return Error{"read " + path + ": " + ErrnoText(error)};
    }
    if (n == 0) break;
    data.append(chunk.data(), static_cast<std::size_t>(n));
  }
  ::close(fd);
  // Error is constructible from a string too: name the alternative.
  return Result<std::string>(boost::system::in_place_value, std::move(data));
}

bool CanOpen(const std::string& path) {
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return false;
  ::close(fd);
  return true;
}

// client-go's WriteCert / WriteKey: the directory made 0755 as needed, the file written with
// `mode` when new.
Result<void> WriteFile(const std::string& path, std::string_view data, mode_t mode) {
  const std::filesystem::path parent = std::filesystem::path(path).parent_path();
  if (!parent.empty()) {
    std::error_code ec;
    std::filesystem::create_directories(parent, ec);
    if (ec) return Error{"mkdir " + parent.string() + ": " + ErrnoText(ec.value())};
  }
  const int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, mode);
  if (fd < 0) return Error{"open " + path + ": " + ErrnoText(errno)};
  std::size_t written = 0;
  while (written < data.size()) {
    const ssize_t n = ::write(fd, data.data() + written, data.size() - written);
    if (n < 0) {
      if (errno == EINTR) continue;
      const int error = errno;
      ::close(fd);
      return Error{"write " + path + ": " + ErrnoText(error)};
    }
    written += static_cast<std::size_t>(n);
  }
  if (::close(fd) != 0) return Error{"close " + path + ": " + ErrnoText(errno)};
  return {};
}

bool ContainsPemBlock(std::string_view pem, std::string_view label_suffix) {
  std::size_t at = 0;
  while ((at = pem.find("-----BEGIN ", at)) != std::string_view::npos) {
    at += 11;
    const std::size_t end = pem.find("-----", at);
    if (end == std::string_view::npos) return false;
    const std::string_view label = pem.substr(at, end - at);
    if (label.size() >= label_suffix.size() &&
        label.substr(label.size() - label_suffix.size()) == label_suffix) {
      return true;
    }
  }
  return false;
}

bool IsIpLiteral(const std::string& text) {
  unsigned char buffer[16];
  return inet_pton(AF_INET, text.c_str(), buffer) == 1 ||
         inet_pton(AF_INET6, text.c_str(), buffer) == 1;
}

bool AddExtension(X509* cert, X509* issuer, int nid, const std::string& value) {
  X509V3_CTX ctx;
  X509V3_set_ctx(&ctx, issuer, cert, nullptr, nullptr, 0);
  const ExtensionPtr extension(X509V3_EXT_conf_nid(nullptr, &ctx, nid, value.c_str()));
  return extension != nullptr && X509_add_ext(cert, extension.get(), -1) == 1;
}

bool SetCommonName(X509_NAME* name, const std::string& common_name) {
  return X509_NAME_add_entry_by_NID(name, NID_commonName, MBSTRING_UTF8,
                                    reinterpret_cast<const unsigned char*>(common_name.c_str()), -1,
                                    -1, 0) == 1;
}

// One certificate of the pair; `issuer`/`issuer_key` null for the self-signed CA.
X509Ptr MakeCertificate(long serial, const std::string& common_name, EVP_PKEY* key, X509* issuer,
                        EVP_PKEY* issuer_key, std::time_t not_before, std::time_t not_after,
                        const std::vector<std::string>& extensions_conf,
                        const std::string& subject_alt_names) {
  X509Ptr cert(X509_new());
  if (!cert || X509_set_version(cert.get(), X509_VERSION_3) != 1 ||
      ASN1_INTEGER_set(X509_get_serialNumber(cert.get()), serial) != 1 ||
      !SetCommonName(X509_get_subject_name(cert.get()), common_name) ||
      X509_set_issuer_name(cert.get(), issuer != nullptr
                                           ? X509_get_subject_name(issuer)
                                           : X509_get_subject_name(cert.get())) != 1 ||
      ASN1_TIME_set(X509_getm_notBefore(cert.get()), not_before) == nullptr ||
      ASN1_TIME_set(X509_getm_notAfter(cert.get()), not_after) == nullptr ||
      X509_set_pubkey(cert.get(), key) != 1) {
    return nullptr;
  }
  X509* signer = issuer != nullptr ? issuer : cert.get();
  // Each entry is "<nid>=<OpenSSL configuration value>".
  for (const std::string& conf : extensions_conf) {
    const std::size_t equals = conf.find('=');
    const int nid = OBJ_sn2nid(conf.substr(0, equals).c_str());
    if (nid == NID_undef || !AddExtension(cert.get(), signer, nid, conf.substr(equals + 1))) {
      return nullptr;
    }
  }
  if (!subject_alt_names.empty() &&
      !AddExtension(cert.get(), signer, NID_subject_alt_name, subject_alt_names)) {
    return nullptr;
  }
  if (X509_sign(cert.get(), issuer_key != nullptr ? issuer_key : key, EVP_sha256()) <= 0) {
    return nullptr;
  }
  return cert;
}

std::string CertificatePem(X509* cert) {
  const BioPtr bio(BIO_new(BIO_s_mem()));
  PEM_write_bio_X509(bio.get(), cert);
  char* data = nullptr;
  const long size = BIO_get_mem_data(bio.get(), &data);
  return std::string(data, static_cast<std::size_t>(size));
}

}  // namespace

SelfSignedNames DefaultSelfSignedNames(std::string_view bind_address) {
  SelfSignedNames names;
  std::array<char, 256> hostname{};
  std::string host_name;
  if (::gethostname(hostname.data(), hostname.size() - 1) == 0) host_name = hostname.data();
  const bool unspecified = bind_address.empty() || bind_address == "0.0.0.0" ||
                           bind_address == "::" || bind_address == "[::]";
  names.host =
      unspecified ? (host_name.empty() ? "localhost" : host_name) : std::string(bind_address);
  const auto add_dns = [&names](const std::string& dns) {
    if (dns.empty() || dns == names.host) return;
    for (const std::string& existing : names.dns_names) {
      if (existing == dns) return;
    }
    names.dns_names.push_back(dns);
  };
  const auto add_ip = [&names](const std::string& ip) {
    if (ip == names.host) return;
    for (const std::string& existing : names.ip_addresses) {
      if (existing == ip) return;
    }
    names.ip_addresses.push_back(ip);
  };
  add_dns("localhost");
  add_dns(host_name);
  add_ip("127.0.0.1");
  add_ip("::1");
  if (!unspecified) add_ip(std::string(bind_address));
  return names;
}

Result<ServingKeyPair> ReadServingCertificate(const ServingCertificate& files) {
  Result<std::string> cert = ReadFile(files.cert_file);
  if (!cert) return cert.error();
  if (!ContainsPemBlock(*cert, "CERTIFICATE")) {
    return Error{files.cert_file + ": no certificate found"};
  }
  Result<std::string> key = ReadFile(files.key_file);
  if (!key) return key.error();
  if (!ContainsPemBlock(*key, "PRIVATE KEY")) {
    return Error{files.key_file + ": no private key found"};
  }
  return ServingKeyPair{.cert_chain_pem = std::move(*cert),
                        .key_pem = std::move(*key),
                        .cert_source = files.cert_file,
                        .key_source = files.key_file};
}

Result<ServingKeyPair> GenerateSelfSignedCertificate(const SelfSignedNames& names) {
  ERR_clear_error();
  const auto failed = [] {
    return Error{"unable to generate self signed cert: " + OpenSslErrors()};
  };
  const std::time_t now = std::time(nullptr);
  // Valid an hour early for clocks that lag, for a year, as client-go does.
  const std::time_t not_before = now - 3600;
  const std::time_t not_after = not_before + std::time_t{365} * 24 * 3600;
  const std::string timestamp = std::to_string(static_cast<long long>(now));

  const PkeyPtr ca_key(EVP_RSA_gen(2048));
  const PkeyPtr key(EVP_RSA_gen(2048));
  if (!ca_key || !key) return failed();

  const X509Ptr ca = MakeCertificate(
      1, names.host + "-ca@" + timestamp, ca_key.get(), nullptr, nullptr, not_before, not_after,
      {"keyUsage=critical,digitalSignature,keyEncipherment,keyCertSign",
       "basicConstraints=critical,CA:TRUE", "subjectKeyIdentifier=hash"},
      "");
  if (!ca) return failed();

  std::string alt_names;
  const auto append = [&alt_names](std::string_view kind, const std::string& value) {
    if (!alt_names.empty()) alt_names += ',';
    alt_names += kind;
    alt_names += value;
  };
  if (IsIpLiteral(names.host)) {
    append("IP:", names.host);
  } else {
    append("DNS:", names.host);
  }
  for (const std::string& ip : names.ip_addresses) append("IP:", ip);
  for (const std::string& dns : names.dns_names) append("DNS:", dns);

  const X509Ptr leaf = MakeCertificate(
      2, names.host + "@" + timestamp, key.get(), ca.get(), ca_key.get(), not_before, not_after,
      {"keyUsage=critical,digitalSignature,keyEncipherment", "extendedKeyUsage=serverAuth",
       "basicConstraints=critical,CA:FALSE", "authorityKeyIdentifier=keyid:always"},
      alt_names);
  if (!leaf) return failed();

  const BioPtr key_bio(BIO_new(BIO_s_mem()));
  // The traditional (PKCS#1, "RSA PRIVATE KEY") form, as client-go writes it.
  if (PEM_write_bio_PrivateKey_traditional(key_bio.get(), key.get(), nullptr, nullptr, 0, nullptr,
                                           nullptr) != 1) {
    return failed();
  }
  char* key_data = nullptr;
  const long key_size = BIO_get_mem_data(key_bio.get(), &key_data);
  return ServingKeyPair{.cert_chain_pem = CertificatePem(leaf.get()) + CertificatePem(ca.get()),
                        .key_pem = std::string(key_data, static_cast<std::size_t>(key_size)),
                        .cert_source = std::string(kGeneratedSource),
                        .key_source = std::string(kGeneratedSource)};
}

Result<ServingKeyPair> LoadOrGenerateSelfSignedCertificate(const std::string& cert_dir,
                                                           const SelfSignedNames& names) {
  const std::string cert_file = (std::filesystem::path(cert_dir) / "apiserver.crt").string();
  const std::string key_file = (std::filesystem::path(cert_dir) / "apiserver.key").string();
  const bool cert_readable = CanOpen(cert_file);
  const bool key_readable = CanOpen(key_file);
  if (cert_readable && key_readable) {
    return ReadServingCertificate({.cert_file = cert_file, .key_file = key_file});
  }
  if (cert_readable || key_readable) {
    const std::string& missing = cert_readable ? key_file : cert_file;
    return Error{"error reading " + missing + ", certificate and key must be supplied as a pair"};
  }
  Result<ServingKeyPair> generated = GenerateSelfSignedCertificate(names);
  if (!generated) return generated;
  if (Result<void> written = WriteFile(cert_file, generated->cert_chain_pem, 0644); !written) {
    return written.error();
  }
  if (Result<void> written = WriteFile(key_file, generated->key_pem, 0600); !written) {
    return written.error();
  }
  log::Info(kSource, "Generated self-signed cert",
            {{"certFile", cert_file}, {"keyFile", key_file}});
  generated->cert_source = cert_file;
  generated->key_source = key_file;
  return generated;
}

Result<ServingKeyPair> ResolveServingCertificate(const ServerOptions& options) {
  if (options.serving_certificates) {
    ServingKeyPair pair = options.serving_certificates->Current()->default_certificate()->pem();
    pair.provider = options.serving_certificates;
    return pair;
  }
  if (options.certificate) return ReadServingCertificate(*options.certificate);
  const SelfSignedNames names = DefaultSelfSignedNames(options.bind_address);
  if (!options.cert_dir.empty())
    return LoadOrGenerateSelfSignedCertificate(options.cert_dir, names);
  Result<ServingKeyPair> generated = GenerateSelfSignedCertificate(names);
  if (generated) log::Info(kSource, "Generated self-signed cert in-memory");
  return generated;
}

}  // namespace kauth::server
