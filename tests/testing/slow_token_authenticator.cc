#include "testing/slow_token_authenticator.h"

#include <algorithm>
#include <boost/asio/as_tuple.hpp>
#include <boost/asio/cancellation_state.hpp>
#include <boost/asio/experimental/concurrent_channel.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <stdexcept>
#include <tuple>
#include <utility>
#include <vector>

namespace kauth::testing {

namespace asio = boost::asio;

// One suspended lookup. A concurrent channel, because Release runs on the test's thread while
// the lookup's coroutine may run on another; a buffered release is not lost if it comes first.
struct SlowTokenAuthenticator::Gate {
  explicit Gate(const asio::any_io_executor& executor) : channel(executor, 1) {}
  asio::experimental::concurrent_channel<void(boost::system::error_code)> channel;
};

SlowTokenAuthenticator::SlowTokenAuthenticator(std::map<std::string, AuthResult> answers)
    : answers_(answers.begin(), answers.end()) {}

SlowTokenAuthenticator::~SlowTokenAuthenticator() = default;

Awaitable<AuthResult> SlowTokenAuthenticator::AuthenticateToken(std::string_view token,
                                                                AuthContext& ctx) const {
  ++calls_;
  std::optional<std::chrono::steady_clock::duration> delay;
  bool ignore_cancellation = false;
  {
    std::lock_guard lock(mu_);
    audiences_seen_.push_back(ctx.audiences());
    delay = delay_;
    ignore_cancellation = ignore_cancellation_;
  }
  if (ignore_cancellation) {
    co_await asio::this_coro::reset_cancellation_state(asio::disable_cancellation());
  }
  const asio::any_io_executor executor = co_await asio::this_coro::executor;
  boost::system::error_code ec;
  if (delay) {
    asio::steady_timer timer(executor, *delay);
    std::tie(ec) = co_await timer.async_wait(asio::as_tuple(asio::use_awaitable));
  } else {
    auto gate = std::make_shared<Gate>(executor);
    {
      std::lock_guard lock(mu_);
      gates_.push_back(gate);
    }
    std::tie(ec) = co_await gate->channel.async_receive(asio::as_tuple(asio::use_awaitable));
    if (ec) {
      std::lock_guard lock(mu_);
      std::erase_if(gates_, [&](const std::weak_ptr<Gate>& weak) {
        const std::shared_ptr<Gate> other = weak.lock();
        return other == nullptr || other == gate;
      });
    }
  }
  if (ec) {
    ++cancelled_;
    co_return AuthResult::Rejected(AuthError(AuthErrorKind::kCanceled, "context canceled"));
  }

  bool should_throw = false;
  {
    std::lock_guard lock(mu_);
    should_throw = throw_;
    for (const std::string& warning : warnings_) ctx.AddWarning(warning);
    for (const AuditAnnotation& annotation : audit_annotations_) {
      ctx.AddAuditAnnotation(annotation.key, annotation.value);
    }
  }
  ++completed_;
  if (should_throw) throw std::runtime_error("slow authenticator failed");
  const auto it = answers_.find(token);
  co_return it == answers_.end() ? AuthResult::NotApplicable() : it->second;
}

void SlowTokenAuthenticator::Release() {
  std::vector<std::weak_ptr<Gate>> gates;
  {
    std::lock_guard lock(mu_);
    gates.swap(gates_);
  }
  for (const auto& weak : gates) {
    if (const std::shared_ptr<Gate> gate = weak.lock()) {
      (void)gate->channel.try_send(boost::system::error_code());
    }
  }
}

void SlowTokenAuthenticator::set_delay(std::chrono::steady_clock::duration delay) {
  std::lock_guard lock(mu_);
  delay_ = delay;
}

void SlowTokenAuthenticator::set_throw(bool value) {
  std::lock_guard lock(mu_);
  throw_ = value;
}

void SlowTokenAuthenticator::set_ignore_cancellation(bool value) {
  std::lock_guard lock(mu_);
  ignore_cancellation_ = value;
}

void SlowTokenAuthenticator::set_side_effects(std::vector<std::string> warnings,
                                              std::vector<AuditAnnotation> audit_annotations) {
  std::lock_guard lock(mu_);
  warnings_ = std::move(warnings);
  audit_annotations_ = std::move(audit_annotations);
}

int SlowTokenAuthenticator::pending() const {
  std::lock_guard lock(mu_);
  return static_cast<int>(
      std::count_if(gates_.begin(), gates_.end(),
                    [](const std::weak_ptr<Gate>& gate) { return !gate.expired(); }));
}

std::vector<std::optional<Audiences>> SlowTokenAuthenticator::audiences_seen() const {
  std::lock_guard lock(mu_);
  return audiences_seen_;
}

}  // namespace kauth::testing
