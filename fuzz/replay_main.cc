// Stands in for libFuzzer's main in the ordinary build (any compiler), so that every fuzz target
// compiles with the tests and its seed corpus runs as a CTest test: a target that stops building,
// or a seed that trips one of its checks, fails CI without a clang fuzz build.
//
// Usage: <target> PATH...   PATH is a file (one input) or a directory (every regular file under
// it, recursively, in name order, as libFuzzer reads a corpus directory). Fails when a path is
// missing or a directory holds no files: an empty corpus would pass without testing anything.
#include <unistd.h>

#include <algorithm>
#include <csignal>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <memory>
#include <string>
#include <system_error>
#include <vector>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size);

namespace {

namespace fs = std::filesystem;

// The input being run, for the crash handler: a target's checks end in abort(), which would
// otherwise leave no trace of which seed failed.
const char* g_current = nullptr;

void WriteAll(const char* text) {
  std::size_t left = std::strlen(text);
  while (left > 0) {
    const ssize_t n = ::write(STDERR_FILENO, text, left);
    if (n <= 0) return;
    text += n;
    left -= static_cast<std::size_t>(n);
  }
}

// Async-signal-safe: write(2) only, then the default action so the exit status still says how
// the process died.
extern "C" void OnFatalSignal(int signal) {
  WriteAll("replay: crashed on input ");
  WriteAll(g_current != nullptr ? g_current : "(none)");
  WriteAll("\n");
  std::signal(signal, SIG_DFL);
  std::raise(signal);
}

bool ReadFile(const fs::path& path, std::vector<char>& out) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return false;
  out.assign(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
  return !in.bad();
}

bool Run(const fs::path& path) {
  std::vector<char> bytes;
  if (!ReadFile(path, bytes)) {
    std::fprintf(stderr, "replay: cannot read %s\n", path.c_str());
    return false;
  }
  // A heap block of exactly the input's size, as libFuzzer passes it, so that a sanitizer build
  // catches a read one byte past the end.
  const std::unique_ptr<std::uint8_t[]> data = std::make_unique<std::uint8_t[]>(bytes.size());
  std::copy(bytes.begin(), bytes.end(), reinterpret_cast<char*>(data.get()));
  const std::string name = path.string();
  g_current = name.c_str();
  LLVMFuzzerTestOneInput(data.get(), bytes.size());
  g_current = nullptr;
  return true;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 2) {
    std::fprintf(stderr, "usage: %s FILE_OR_DIRECTORY...\n", argv[0]);
    return 2;
  }
  for (const int signal : {SIGABRT, SIGSEGV, SIGBUS, SIGFPE, SIGILL}) {
    std::signal(signal, OnFatalSignal);
  }

  std::size_t ran = 0;
  for (int i = 1; i < argc; ++i) {
    const fs::path path = argv[i];
    std::error_code ec;
    if (fs::is_regular_file(path, ec)) {
      if (!Run(path)) return 1;
      ++ran;
      continue;
    }
    if (!fs::is_directory(path, ec)) {
      std::fprintf(stderr, "replay: %s is neither a file nor a directory\n", argv[i]);
      return 1;
    }
    std::vector<fs::path> files;
    for (fs::recursive_directory_iterator it(path, ec), end; !ec && it != end; it.increment(ec)) {
      if (it->is_regular_file(ec)) files.push_back(it->path());
    }
    if (ec) {
      std::fprintf(stderr, "replay: cannot list %s: %s\n", argv[i], ec.message().c_str());
      return 1;
    }
    if (files.empty()) {
      std::fprintf(stderr, "replay: %s holds no inputs\n", argv[i]);
      return 1;
    }
    std::sort(files.begin(), files.end());
    for (const fs::path& file : files) {
      if (!Run(file)) return 1;
      ++ran;
    }
  }
  std::printf("replay: ran %zu inputs\n", ran);
  return 0;
}
