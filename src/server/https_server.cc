#include "server/https_server.h"

#include <netinet/in.h>
#include <netinet/tcp.h>

#include <algorithm>
#include <atomic>
#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ip/v6_only.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/ssl/context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <cctype>
#include <chrono>
#include <csignal>
#include <exception>
#include <mutex>
#include <optional>
#include <thread>
#include <unordered_map>
#include <utility>
#include <vector>

#include "log/log.h"
#include "server/client_ca_names.h"
#include "server/connection.h"
#include "server/serving_certificate.h"
#include "server/tls_context.h"

namespace kauth::server {
namespace {

namespace asio = boost::asio;
using tcp = asio::ip::tcp;

constexpr auto kUseTuple = asio::as_tuple(asio::use_awaitable);
constexpr std::string_view kSource = "https_server.cc";

// Go's Serve retries a failing Accept after 5 ms, doubling up to 1 s.
constexpr auto kFirstAcceptRetry = std::chrono::milliseconds(5);
constexpr auto kMaxAcceptRetry = std::chrono::seconds(1);
// Go's listeners turn TCP keep-alive on for accepted connections with a 15 s period.
constexpr int kTcpKeepAliveSeconds = 15;

// Go prints system errors in lower case ("address already in use").
std::string GoStyle(std::string message) {
  if (!message.empty()) {
    message[0] = static_cast<char>(std::tolower(static_cast<unsigned char>(message[0])));
  }
  return message;
}

std::string HostPort(const asio::ip::address& address, std::uint16_t port) {
  if (address.is_v6()) return "[" + address.to_string() + "]:" + std::to_string(port);
  return address.to_string() + ":" + std::to_string(port);
}

std::string ToString(std::size_t n) { return std::to_string(n); }

void LogException(std::exception_ptr error, std::string_view what) {
  if (!error) return;
  try {
    std::rethrow_exception(error);
  } catch (const std::exception& e) {
    log::Error(kSource, what, {{"err", e.what()}});
  } catch (...) {
    log::Error(kSource, what, {{"err", "unknown exception"}});
  }
}

}  // namespace

class HttpsServer::Impl {
 public:
  Impl(ServerOptions options, std::shared_ptr<const http::Handler> handler, SslCtxPtr ssl)
      : options_(std::move(options)),
        handler_(std::move(handler)),
        tls_(ssl.release()),
        client_ca_names_(options_.client_cas),
        environment_{.options = options_,
                     .handler = *handler_,
                     .tls = tls_,
                     .client_ca_names = client_ca_names_,
                     .stopping = stopping_},
        contexts_(MakeContexts(ThreadCount(options_))),
        work_(KeepRunning(contexts_)),
        control_(asio::make_strand(*contexts_.front())),
        acceptor_(control_),
        slot_timer_(control_),
        retry_timer_(control_),
        grace_timer_(control_) {}

  ~Impl() {
    // Connections still suspended in the loops are destroyed with them below; their on_closed
    // callbacks must not touch an executor any more.
    destroying_ = true;
    stopping_ = true;
    boost::system::error_code ignored;
    acceptor_.close(ignored);
  }

  Result<void> Listen() {
    std::string host = options_.bind_address;
    if (host.size() > 2 && host.front() == '[' && host.back() == ']') {
      host = host.substr(1, host.size() - 2);
    }
    boost::system::error_code ec;
    const asio::ip::address address = asio::ip::make_address(host, ec);
    if (ec) return Error{"invalid bind address \"" + options_.bind_address + "\""};
    const tcp::endpoint endpoint(address, options_.port);
    const std::string where = HostPort(address, options_.port);
    const auto failed = [&where](const boost::system::error_code& error, std::string_view op) {
      return Error{"failed to listen on " + where + ": listen tcp " + where + ": " +
                   std::string(op) + ": " + GoStyle(error.message())};
    };
    acceptor_.open(endpoint.protocol(), ec);
    if (ec) return failed(ec, "socket");
    // Go sets SO_REUSEADDR on listeners: a restart rebinds at once despite TIME_WAIT sockets.
    acceptor_.set_option(tcp::acceptor::reuse_address(true), ec);
    // "::" serves IPv4 too, as Go's dual-stack listener does.
    if (address.is_v6()) acceptor_.set_option(asio::ip::v6_only(false), ec);
    acceptor_.bind(endpoint, ec);
    if (ec) return failed(ec, "bind");
    acceptor_.listen(tcp::acceptor::max_listen_connections, ec);
    if (ec) return failed(ec, "listen");
    const tcp::endpoint bound = acceptor_.local_endpoint(ec);
    if (ec) return failed(ec, "getsockname");
    port_ = bound.port();
    address_ = HostPort(address, port_);
    return {};
  }

  std::uint16_t port() const { return port_; }
  const std::string& address() const { return address_; }

  void Run() {
    std::optional<asio::signal_set> signals;
    if (options_.handle_signals) {
      signals.emplace(control_, SIGINT, SIGTERM);
      WaitForSignal(*signals, /*first=*/true);
    }
    // Logged once the signals are caught: a supervisor (or a test) may send SIGTERM as soon as it
    // reads this line.
    log::Info(kSource, (options_.name.empty() ? "Serving securely on "
                                              : "Serving " + options_.name + " securely on ") +
                           address_);
    asio::co_spawn(control_, AcceptLoop(),
                   [](std::exception_ptr error) { LogException(error, "Accept loop failed"); });

    std::vector<std::thread> pool;
    pool.reserve(contexts_.size() - 1);
    for (std::size_t i = 1; i < contexts_.size(); ++i) {
      pool.emplace_back([this, i] { RunLoop(*contexts_[i]); });
    }
    RunLoop(*contexts_.front());
    for (std::thread& thread : pool) thread.join();
    // Every thread has left the io_context: the signal set can go (default dispositions return).
    signals.reset();
    log::Info(kSource, "Stopped serving", {{"address", address_}});
  }

  void Shutdown() {
    asio::post(control_, [this] { BeginShutdown("Shutdown requested"); });
  }

 private:
  using Contexts = std::vector<std::unique_ptr<asio::io_context>>;
  using WorkGuards = std::vector<asio::executor_work_guard<asio::io_context::executor_type>>;

  static unsigned ThreadCount(const ServerOptions& options) {
    const unsigned hardware = std::max(1u, std::thread::hardware_concurrency());
    return options.threads == 0 ? hardware : options.threads;
  }

  // One event loop per thread, each told it runs on one thread: a connection lives on one loop,
  // so its handlers never need a strand (a strand cost about 8% of a request's instructions),
  // and the loops share no queue.
  static Contexts MakeContexts(unsigned threads) {
    Contexts contexts;
    for (unsigned i = 0; i < threads; ++i) {
      contexts.push_back(std::make_unique<asio::io_context>(1));
    }
    return contexts;
  }

  // Loops with no connections wait for new ones instead of returning.
  static WorkGuards KeepRunning(const Contexts& contexts) {
    WorkGuards guards;
    for (const auto& context : contexts) guards.push_back(asio::make_work_guard(*context));
    return guards;
  }

  void StopAll() {
    for (const auto& context : contexts_) context->stop();
  }

  void RunLoop(asio::io_context& io) {
    for (;;) {
      try {
        io.run();
        return;
      } catch (...) {
        // Completion handlers report errors as values; an exception here is a bug somewhere
        // below. Keep serving the other connections.
        LogException(std::current_exception(), "Unexpected exception in the server loop");
      }
    }
  }

  void WaitForSignal(asio::signal_set& signals, bool first) {
    signals.async_wait([this, &signals, first](const boost::system::error_code& ec, int number) {
      if (ec) return;
      const std::string name = number == SIGTERM ? "SIGTERM" : "SIGINT";
      if (first) {
        BeginShutdown("Received " + name);
        WaitForSignal(signals, false);
        return;
      }
      // As kube-apiserver does on a second signal: stop waiting for requests in flight.
      log::Warning(kSource, "Received a second signal, stopping at once", {{"signal", name}});
      StopAll();
    });
  }

  asio::awaitable<void> AcceptLoop() {
    auto retry = std::chrono::milliseconds(0);
    while (!stopping_) {
      if (active_.load() >= options_.max_connections) {
        // At the limit: stop accepting until a connection closes (OnClosed cancels the wait).
        slot_timer_.expires_at(asio::steady_timer::time_point::max());
        co_await slot_timer_.async_wait(kUseTuple);
        continue;
      }
      // New connections go to the loops in turn.
      asio::io_context& loop = *contexts_[next_context_++ % contexts_.size()];
      auto [ec, socket] = co_await acceptor_.async_accept(loop.get_executor(), kUseTuple);
      if (stopping_) co_return;
      if (ec) {
        if (ec == asio::error::operation_aborted) co_return;
        retry = retry.count() == 0
                    ? kFirstAcceptRetry
                    : std::min<std::chrono::milliseconds>(retry * 2, kMaxAcceptRetry);
        log::Error(kSource, "Accept error",
                   {{"err", ec.message()}, {"retryIn", std::to_string(retry.count()) + "ms"}});
        retry_timer_.expires_after(retry);
        co_await retry_timer_.async_wait(kUseTuple);
        continue;
      }
      retry = std::chrono::milliseconds(0);
      Serve(std::move(socket));
    }
  }

  void Serve(tcp::socket socket) {
    boost::system::error_code ignored;
    socket.set_option(tcp::no_delay(true), ignored);
    socket.set_option(asio::socket_base::keep_alive(true), ignored);
    const int period = kTcpKeepAliveSeconds;
    ::setsockopt(socket.native_handle(), IPPROTO_TCP, TCP_KEEPIDLE, &period, sizeof(period));
    ::setsockopt(socket.native_handle(), IPPROTO_TCP, TCP_KEEPINTVL, &period, sizeof(period));

    ++active_;
    std::uint64_t id = 0;
    {
      std::lock_guard<std::mutex> lock(mu_);
      id = next_id_++;
    }
    std::shared_ptr<Connection> connection =
        MakeConnection(std::move(socket), environment_, [this, id] { OnClosed(id); });
    {
      std::lock_guard<std::mutex> lock(mu_);
      connections_.emplace(id, connection);
    }
    connection->Start();
  }

  // Any thread, or ~io_context.
  void OnClosed(std::uint64_t id) {
    {
      std::lock_guard<std::mutex> lock(mu_);
      connections_.erase(id);
    }
    const std::size_t remaining = --active_;
    if (destroying_) return;
    if (stopping_) {
      if (remaining == 0) StopAll();
      return;
    }
    if (remaining + 1 == options_.max_connections) {
      asio::post(control_, [this] { slot_timer_.cancel(); });
    }
  }

  // On control_.
  void BeginShutdown(const std::string& reason) {
    if (stopping_.exchange(true)) return;
    log::Info(kSource, "Shutting down: no longer accepting connections",
              {{"reason", reason}, {"connections", ToString(active_.load())}});
    if (options_.on_shutdown) options_.on_shutdown();
    boost::system::error_code ignored;
    acceptor_.close(ignored);
    slot_timer_.cancel();
    retry_timer_.cancel();
    std::vector<std::shared_ptr<Connection>> open;
    {
      std::lock_guard<std::mutex> lock(mu_);
      open.reserve(connections_.size());
      for (const auto& [id, weak] : connections_) {
        if (std::shared_ptr<Connection> connection = weak.lock()) open.push_back(connection);
      }
    }
    for (const auto& connection : open) connection->BeginShutdown();
    if (active_.load() == 0) {
      StopAll();
      return;
    }
    grace_timer_.expires_after(options_.shutdown_grace_period);
    grace_timer_.async_wait([this](const boost::system::error_code& ec) {
      if (ec) return;
      log::Warning(kSource, "Shutdown grace period ended, dropping open connections",
                   {{"connections", ToString(active_.load())}});
      StopAll();
    });
  }

  // Everything a connection uses is declared before the event loops, so that it outlives the
  // connections they destroy with them; the I/O objects are declared after the loops, which must
  // outlive them.
  const ServerOptions options_;
  const std::shared_ptr<const http::Handler> handler_;
  asio::ssl::context tls_;
  ClientCaNames client_ca_names_;
  std::atomic<bool> stopping_{false};
  std::atomic<bool> destroying_{false};
  std::atomic<std::size_t> active_{0};
  std::mutex mu_;
  std::uint64_t next_id_ = 0;                                                 // guarded by mu_
  std::unordered_map<std::uint64_t, std::weak_ptr<Connection>> connections_;  // guarded by mu_
  const ConnectionEnvironment environment_;
  std::uint16_t port_ = 0;
  std::string address_;

  Contexts contexts_;
  WorkGuards work_;
  std::size_t next_context_ = 0;  // on control_
  asio::strand<asio::io_context::executor_type> control_;  // the acceptor, timers and signals
  tcp::acceptor acceptor_;
  asio::steady_timer slot_timer_;
  asio::steady_timer retry_timer_;
  asio::steady_timer grace_timer_;
};

Result<std::unique_ptr<HttpsServer>> HttpsServer::Create(
    ServerOptions options, std::shared_ptr<const http::Handler> handler) {
  if (handler == nullptr) return Error{"no request handler"};
  if (options.max_connections == 0) return Error{"max connections must be at least 1"};
  if (options.request_header_timeout <= std::chrono::nanoseconds::zero() ||
      options.idle_timeout <= std::chrono::nanoseconds::zero() ||
      options.io_timeout <= std::chrono::nanoseconds::zero()) {
    return Error{"server timeouts must be positive"};
  }
  if (options.shutdown_grace_period < std::chrono::nanoseconds::zero()) {
    return Error{"shutdown grace period must not be negative"};
  }
  Result<ServingKeyPair> key_pair = ResolveServingCertificate(options);
  if (!key_pair) return key_pair.error();
  Result<SslCtxPtr> ssl =
      NewServerTlsContext(*key_pair, options.tls_min_version, !options.client_cas.empty());
  if (!ssl) return ssl.error();
  auto impl = std::make_unique<Impl>(std::move(options), std::move(handler), std::move(*ssl));
  if (Result<void> listening = impl->Listen(); !listening) return listening.error();
  return std::unique_ptr<HttpsServer>(new HttpsServer(std::move(impl)));
}

HttpsServer::HttpsServer(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
HttpsServer::~HttpsServer() = default;

std::uint16_t HttpsServer::port() const { return impl_->port(); }
std::string HttpsServer::address() const { return impl_->address(); }
void HttpsServer::Run() { impl_->Run(); }
void HttpsServer::Shutdown() { impl_->Shutdown(); }

}  // namespace kauth::server
