#include "proxy/upstream_health.h"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <cassert>
#include <utility>

#include "log/log.h"

namespace kauth::proxy {
namespace {

constexpr std::string_view kSource = "upstream_health.cc";

}  // namespace

UpstreamHealth::UpstreamHealth(std::shared_ptr<UpstreamClient> upstream,
                               std::chrono::nanoseconds interval)
    : upstream_(std::move(upstream)),
      interval_(interval),
      failure_("upstream " + upstream_->authority() + " has not been probed yet") {
  assert(interval_ > std::chrono::nanoseconds::zero());
  boost::asio::co_spawn(io_, ProbeLoop(), boost::asio::detached);
  thread_ = std::thread([this] { io_.run(); });
}

UpstreamHealth::~UpstreamHealth() {
  io_.stop();
  thread_.join();
}

std::optional<std::string> UpstreamHealth::Check() const {
  std::lock_guard lock(mu_);
  return failure_;
}

std::uint64_t UpstreamHealth::probes() const {
  std::lock_guard lock(mu_);
  return probes_;
}

Awaitable<void> UpstreamHealth::ProbeLoop() {
  boost::asio::steady_timer timer(co_await boost::asio::this_coro::executor);
  for (;;) {
    Result<void> probed = co_await upstream_->Probe();
    Record(probed ? std::nullopt : std::optional<std::string>(probed.error().message));
    timer.expires_after(std::chrono::duration_cast<std::chrono::steady_clock::duration>(interval_));
    co_await timer.async_wait(boost::asio::use_awaitable);
  }
}

void UpstreamHealth::Record(std::optional<std::string> probe_error) {
  bool was_ok = false;
  bool first = false;
  {
    std::lock_guard lock(mu_);
    first = probes_ == 0;
    was_ok = !failure_.has_value();
    failure_.reset();
    if (probe_error)
      failure_ = "upstream " + upstream_->authority() + " is unreachable: " + *probe_error;
    ++probes_;
  }
  // Only changes are logged: a probe every few seconds would otherwise drown the log.
  if (probe_error && (was_ok || first)) {
    log::Warning(kSource, "Upstream is unreachable",
                 {{"upstream", upstream_->authority()}, {"err", *probe_error}});
  } else if (!probe_error && !was_ok && !first) {
    log::Info(kSource, "Upstream is reachable again", {{"upstream", upstream_->authority()}});
  }
}

}  // namespace kauth::proxy
