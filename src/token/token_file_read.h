// Reading a token file: its bytes into a buffer that is wiped afterwards, with Go's error texts,
// and the file's identity (FileStamp) so that a periodic check can skip an unchanged file without
// reading it.
#ifndef KAUTH_TOKEN_TOKEN_FILE_READ_H_
#define KAUTH_TOKEN_TOKEN_FILE_READ_H_

#include <cstdint>
#include <string>

#include "kauth/error.h"

namespace kauth {

// Wipes the file's bytes on destruction: they hold every token in plaintext.
class SecretBuffer {
 public:
  SecretBuffer() = default;
  ~SecretBuffer();
  SecretBuffer(const SecretBuffer&) = delete;
  SecretBuffer& operator=(const SecretBuffer&) = delete;
  std::string& get() { return data_; }

 private:
  std::string data_;
};

// What stat(2) says about the file a path leads to (symbolic links followed). Two equal stamps
// mean the file was, as far as the file system tells, not replaced or written in between.
struct FileStamp {
  bool exists = false;
  std::uint64_t device = 0;
  std::uint64_t inode = 0;
  std::int64_t size = 0;
  std::int64_t mtime_ns = 0;
  std::int64_t ctime_ns = 0;

  friend bool operator==(const FileStamp&, const FileStamp&) = default;
};

// The stamp of `path` now; `exists` is false when stat fails.
FileStamp StatFile(const std::string& path);

// Reads all of `path` into `out` (a SecretBuffer's string). Errors, as Go prints them:
//   --token-auth-file=<path>: open <path>: <reason>
//   --token-auth-file=<path>: read <path>: <reason>     (e.g. "is a directory")
// `stamp`, when non-null, receives the stamp of the file that was opened.
Result<void> ReadTokenFile(const std::string& path, std::string& out, FileStamp* stamp = nullptr);

// Reads `fd` to its end into `out` (a SecretBuffer's string), wiping any buffer it outgrows.
// Returns 0, or the errno of the failed read.
int ReadAllFromDescriptor(int fd, std::string& out);

}  // namespace kauth

#endif  // KAUTH_TOKEN_TOKEN_FILE_READ_H_
