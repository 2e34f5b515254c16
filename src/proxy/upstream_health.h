// UpstreamHealth: whether the upstream kauthd fronts can be reached, for /readyz's "upstream"
// check in proxy mode. A background thread with its own io_context calls
// UpstreamClient::Probe() once at construction and then every `interval` after the previous probe
// finished; Check() reads the last result, so a health request never waits for the network.
//
// State changes are logged (a warning when the upstream becomes unreachable, an info line when it
// is back), not every probe.
//
// Thread-safe: Check() may be called from any thread while probes run. The destructor stops the
// thread (abandoning a probe in flight) and waits for it.
#ifndef KAUTH_PROXY_UPSTREAM_HEALTH_H_
#define KAUTH_PROXY_UPSTREAM_HEALTH_H_

#include <boost/asio/io_context.hpp>
#include <chrono>
#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>

#include "kauth/authenticator.h"
#include "proxy/upstream_client.h"

namespace kauth::proxy {

inline constexpr std::chrono::seconds kDefaultUpstreamProbeInterval{5};

class UpstreamHealth {
 public:
  // Starts probing `upstream` (non-null, shared with the proxy handler). Requires interval > 0.
  UpstreamHealth(std::shared_ptr<UpstreamClient> upstream,
                 std::chrono::nanoseconds interval = kDefaultUpstreamProbeInterval);
  ~UpstreamHealth();
  UpstreamHealth(const UpstreamHealth&) = delete;
  UpstreamHealth& operator=(const UpstreamHealth&) = delete;

  // nullopt when the last probe succeeded. Otherwise the reason, for the per-check endpoint and
  // the log:
  //   upstream <authority> has not been probed yet        (before the first probe finished)
  //   upstream <authority> is unreachable: <Probe's error>
  std::optional<std::string> Check() const;

  // How many probes have finished; lets tests wait for a result without sleeping blindly.
  std::uint64_t probes() const;

 private:
  Awaitable<void> ProbeLoop();
  // `probe_error`: nullopt when the probe succeeded.
  void Record(std::optional<std::string> probe_error);

  const std::shared_ptr<UpstreamClient> upstream_;
  const std::chrono::nanoseconds interval_;
  mutable std::mutex mu_;
  std::optional<std::string> failure_;  // guarded by mu_
  std::uint64_t probes_ = 0;            // guarded by mu_
  // Declared last: the probe coroutine, owned by io_'s queue, uses the members above, and io_
  // destroys it when it is destroyed.
  boost::asio::io_context io_;
  std::thread thread_;
};

}  // namespace kauth::proxy

#endif  // KAUTH_PROXY_UPSTREAM_HEALTH_H_
