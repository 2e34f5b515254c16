// TempDir: a fresh directory under the system temp directory, removed with its contents when the
// object goes away, and small helpers to change files in it the ways operators and Kubernetes do.
#ifndef KAUTH_TESTING_TEMP_DIR_H_
#define KAUTH_TESTING_TEMP_DIR_H_

#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>
#include <string_view>
#include <system_error>

namespace kauth::testing {

class TempDir {
 public:
  TempDir() {
    std::string pattern = (std::filesystem::temp_directory_path() / "kauth-test-XXXXXX").string();
    if (::mkdtemp(pattern.data()) == nullptr) ADD_FAILURE() << "mkdtemp failed";
    path_ = pattern;
  }
  ~TempDir() {
    std::error_code ignored;
    std::filesystem::remove_all(path_, ignored);
  }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;

  const std::filesystem::path& path() const { return path_; }
  std::string Path(std::string_view name) const { return (path_ / name).string(); }

  // Truncates and rewrites `name` (the same inode): what an editor saving in place does.
  std::string WriteInPlace(std::string_view name, std::string_view contents) const {
    const std::string path = Path(name);
    std::ofstream out(path, std::ios::binary | std::ios::trunc);
    out << contents;
    return path;
  }

  // Writes a temporary file and renames it over `name`: an atomic replacement.
  std::string RenameIntoPlace(std::string_view name, std::string_view contents) const {
    const std::string path = Path(name);
    const std::string temporary = path + ".tmp";
    {
      std::ofstream out(temporary, std::ios::binary | std::ios::trunc);
      out << contents;
    }
    std::filesystem::rename(temporary, path);
    return path;
  }

  // Kubernetes' AtomicWriter layout for a Secret or ConfigMap volume: `name` is a symlink to
  // `..data/name`, `..data` a symlink to a timestamped directory. Each call writes a new
  // directory, re-points `..data` with a rename and removes the old directory. Returns the path
  // a pod would read (`name`).
  std::string KubernetesSwap(std::string_view name, std::string_view contents) {
    const std::string version = "..v" + std::to_string(++kubernetes_version_);
    std::filesystem::create_directory(path_ / version);
    {
      std::ofstream out(path_ / version / name, std::ios::binary);
      out << contents;
    }
    std::filesystem::create_directory_symlink(version, path_ / "..data_tmp");
    std::filesystem::rename(path_ / "..data_tmp", path_ / "..data");
    if (!std::filesystem::is_symlink(path_ / name)) {
      std::filesystem::create_symlink(std::filesystem::path("..data") / name, path_ / name);
    }
    if (kubernetes_version_ > 1) {
      std::filesystem::remove_all(path_ / ("..v" + std::to_string(kubernetes_version_ - 1)));
    }
    return Path(name);
  }

 private:
  std::filesystem::path path_;
  int kubernetes_version_ = 0;
};

}  // namespace kauth::testing

#endif  // KAUTH_TESTING_TEMP_DIR_H_
