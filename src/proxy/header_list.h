// HeaderList: the header lines of an upstream request as the proxy builds them, in the order they
// are to be written; a name may repeat (one X-Remote-Group line per group). The transport writes
// each pair as one line.
#ifndef KAUTH_PROXY_HEADER_LIST_H_
#define KAUTH_PROXY_HEADER_LIST_H_

#include <string>
#include <utility>
#include <vector>

namespace kauth::proxy {

using HeaderList = std::vector<std::pair<std::string, std::string>>;

}  // namespace kauth::proxy

#endif  // KAUTH_PROXY_HEADER_LIST_H_
