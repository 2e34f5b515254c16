#include "token/token_file_read.h"

#include <fcntl.h>
#include <openssl/crypto.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <string_view>
#include <system_error>

namespace kauth {
namespace {

constexpr std::string_view kFlag = "--token-auth-file=";

// Go prints an errno with its own table, which is glibc's text with a lower-case first letter
// unless the first word is an acronym.
std::string GoErrnoText(int err) {
  std::string text = std::system_category().message(err);
  if (text.size() >= 2 && text[0] >= 'A' && text[0] <= 'Z' && text[1] >= 'a' && text[1] <= 'z') {
    text[0] = static_cast<char>(text[0] - 'A' + 'a');
  }
  return text;
}

Error OsError(const std::string& path, std::string_view op, int err) {
  std::string message(kFlag);
  message += path;
  message += ": ";
  message += op;
  message += ' ';
  message += path;
  message += ": ";
  message += GoErrnoText(err);
  return Error{std::move(message)};
}

class FileDescriptor {
 public:
  explicit FileDescriptor(int fd) : fd_(fd) {}
  ~FileDescriptor() {
    if (fd_ >= 0) ::close(fd_);
  }
  FileDescriptor(const FileDescriptor&) = delete;
  FileDescriptor& operator=(const FileDescriptor&) = delete;
  int get() const { return fd_; }

 private:
  int fd_;
};

FileStamp StampOf(const struct stat& info) {
  return FileStamp{.exists = true,
                   .device = static_cast<std::uint64_t>(info.st_dev),
                   .inode = static_cast<std::uint64_t>(info.st_ino),
                   .size = static_cast<std::int64_t>(info.st_size),
                   .mtime_ns = static_cast<std::int64_t>(info.st_mtim.tv_sec) * 1'000'000'000 +
                               info.st_mtim.tv_nsec,
                   .ctime_ns = static_cast<std::int64_t>(info.st_ctim.tv_sec) * 1'000'000'000 +
                               info.st_ctim.tv_nsec};
}

// Reads all of `fd`; returns 0 or the errno of the failed read.
int ReadAll(int fd, const struct stat* info, std::string& out) {
  std::size_t capacity = 64 * 1024;
  if (info != nullptr && S_ISREG(info->st_mode) && info->st_size > 0) {
    capacity = static_cast<std::size_t>(info->st_size) + 1;
  }
  out.resize(capacity);
  std::size_t size = 0;
  for (;;) {
    if (size == out.size()) {
      // Grown by hand: resize() would free the old buffer with the tokens read so far still in
      // it (files that are not regular, e.g. a pipe, have no size to allocate up front).
      std::string bigger(out.size() * 2, '\0');
      std::memcpy(bigger.data(), out.data(), size);
      OPENSSL_cleanse(out.data(), out.size());
      out.swap(bigger);
    }
    const ssize_t n = ::read(fd, out.data() + size, out.size() - size);
    if (n < 0) {
      if (errno == EINTR) continue;
      const int err = errno;
      out.resize(size);
      return err;
    }
    if (n == 0) break;
    size += static_cast<std::size_t>(n);
  }
  out.resize(size);
  return 0;
}

}  // namespace

SecretBuffer::~SecretBuffer() {
  data_.resize(data_.capacity());
  OPENSSL_cleanse(data_.data(), data_.size());
}

int ReadAllFromDescriptor(int fd, std::string& out) {
  struct stat info {};
  const bool have_info = ::fstat(fd, &info) == 0;
  return ReadAll(fd, have_info ? &info : nullptr, out);
}

FileStamp StatFile(const std::string& path) {
  struct stat info {};
  if (::stat(path.c_str(), &info) != 0) return FileStamp{};
  return StampOf(info);
}

Result<void> ReadTokenFile(const std::string& path, std::string& out, FileStamp* stamp) {
  int fd;
  do {
    fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  } while (fd < 0 && errno == EINTR);
  if (fd < 0) return OsError(path, "open", errno);
  FileDescriptor file(fd);

  struct stat info {};
  const bool have_info = ::fstat(file.get(), &info) == 0;
  if (stamp != nullptr) *stamp = have_info ? StampOf(info) : FileStamp{};
  // Like Go, a directory opens and then fails on the first read, with EISDIR.
  if (const int err = ReadAll(file.get(), have_info ? &info : nullptr, out); err != 0) {
    return OsError(path, "read", err);
  }
  return {};
}

}  // namespace kauth
