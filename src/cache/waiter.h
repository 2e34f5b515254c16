// Waiter: one coroutine's wait for a value that another thread produces, such as a caller of the
// token cache waiting for the shared lookup it joined.
//
// Complete may be called from any thread; the waiting coroutine resumes on its own executor, and
// its io_context counts as busy while it waits (so `run()` does not return under it). A terminal
// cancellation of the waiting coroutine ends the wait at once with nullopt; a later Complete is
// then ignored. Wait is awaited at most once.
#ifndef KAUTH_CACHE_WAITER_H_
#define KAUTH_CACHE_WAITER_H_

#include <boost/asio/associated_cancellation_slot.hpp>
#include <boost/asio/associated_executor.hpp>
#include <boost/asio/async_result.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/cancellation_type.hpp>
#include <boost/asio/execution/outstanding_work.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/prefer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <memory>
#include <mutex>
#include <optional>
#include <utility>

namespace kauth {

template <typename Value>
class Waiter : public std::enable_shared_from_this<Waiter<Value>> {
 public:
  // The value passed to Complete, or nullopt if the awaiting coroutine was cancelled first.
  boost::asio::awaitable<std::optional<Value>> Wait() {
    return boost::asio::async_initiate<const boost::asio::use_awaitable_t<>,
                                       void(std::optional<Value>)>(
        [self = this->shared_from_this()](auto handler) { self->Start(std::move(handler)); },
        boost::asio::use_awaitable);
  }

  // Hands `value` to the waiting coroutine, or keeps it for a Wait that has not started yet.
  void Complete(Value value) { Finish(std::optional<Value>(std::move(value))); }

 private:
  class PendingBase {
   public:
    virtual ~PendingBase() = default;
    virtual void Post(std::optional<Value> value) = 0;
  };

  template <typename Handler>
  class Pending final : public PendingBase {
   public:
    explicit Pending(Handler handler)
        : handler_(std::move(handler)),
          work_(boost::asio::prefer(boost::asio::get_associated_executor(handler_),
                                    boost::asio::execution::outstanding_work.tracked)) {}

    // Resumes the waiter on its own executor, never inline: Finish may run on another thread, or
    // inside the waiter's own initiation or cancellation handler.
    void Post(std::optional<Value> value) override {
      auto work = std::move(work_);
      boost::asio::post(work, [handler = std::move(handler_), value = std::move(value)]() mutable {
        boost::asio::get_associated_cancellation_slot(handler).clear();
        std::move(handler)(std::move(value));
      });
    }

   private:
    Handler handler_;
    std::decay_t<decltype(boost::asio::prefer(
        std::declval<boost::asio::associated_executor_t<Handler>>(),
        boost::asio::execution::outstanding_work.tracked))>
        work_;
  };

  template <typename Handler>
  void Start(Handler handler) {
    // The slot is assigned before the handler is published under the lock, so that a Complete on
    // another thread (whose posted resumption clears the slot) cannot race with the assignment.
    auto slot = boost::asio::get_associated_cancellation_slot(handler);
    if (slot.is_connected()) {
      slot.assign([weak = this->weak_from_this()](boost::asio::cancellation_type type) {
        if ((type & boost::asio::cancellation_type::terminal) ==
            boost::asio::cancellation_type::none) {
          return;
        }
        if (auto self = weak.lock()) self->Finish(std::nullopt);
      });
    }
    auto pending = std::make_unique<Pending<Handler>>(std::move(handler));
    std::unique_lock lock(mu_);
    if (!done_) {
      pending_ = std::move(pending);
      return;
    }
    std::optional<Value> value = std::move(value_);
    lock.unlock();
    pending->Post(std::move(value));
  }

  void Finish(std::optional<Value> value) {
    std::unique_lock lock(mu_);
    if (done_) return;
    done_ = true;
    if (!pending_) {
      value_ = std::move(value);
      return;
    }
    std::unique_ptr<PendingBase> pending = std::move(pending_);
    lock.unlock();
    pending->Post(std::move(value));
  }

  std::mutex mu_;
  bool done_ = false;
  std::optional<Value> value_;            // set when Finish came before Start
  std::unique_ptr<PendingBase> pending_;  // set while a coroutine waits
};

}  // namespace kauth

#endif  // KAUTH_CACHE_WAITER_H_
