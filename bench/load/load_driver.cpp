// Written on Beast directly rather than on pse::Client: the load generator must own its
// connections (exactly N, opened up front, kept alive, one request each at a time), time each
// request from the first byte written to the last byte read, reconnect after a failure without
// the SDK's retry hiding it, and drive servers that are not the broker (nginx) — none of which
// the SDK's pooled, retrying client lets one control.
#include "load_driver.hpp"

#include "request_mix.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>

#include <atomic>
#include <algorithm>
#include <chrono>
#include <functional>
#include <iostream>
#include <memory>
#include <stdexcept>
#include <thread>
#include <vector>

namespace pse::load {
namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using Clock = std::chrono::steady_clock;
using Stream = beast::ssl_stream<beast::tcp_stream>;
constexpr auto use_tuple = asio::as_tuple(asio::use_awaitable);

enum class Phase { warmup, timed, stopping };

// What every connection of every thread reads: the phase and the request tickets.
struct Shared {
  const Options& options;
  RequestMix mix;
  asio::ssl::context tls{asio::ssl::context::tls_client};
  asio::ip::tcp::endpoint endpoint;
  std::atomic<Phase> phase{Phase::warmup};
  std::atomic<std::uint64_t> sequence{0};      ///< every request sent, for the mix
  std::atomic<std::uint64_t> timed_started{0};  ///< timed requests begun, for --requests
  std::atomic<std::size_t> connected{0};
  std::atomic<std::size_t> settled{0};          ///< connections connected or failed once
  std::atomic<std::size_t> holding{0};          ///< --hold: connections answered, now idle
  std::function<void()> start_next;             ///< starts the next connection not yet started

  explicit Shared(const Options& given) : options(given), mix(given) {
    tls.set_verify_mode(asio::ssl::verify_peer);
    tls.load_verify_file(given.ca_file);
    tls.use_certificate_chain_file(given.certificate_file);
    tls.use_private_key_file(given.key_file, asio::ssl::context::pem);
    endpoint = {asio::ip::make_address(given.host), given.port};
  }

  // A timed request may start only while the phase is timed and the count is not reached.
  bool take_timed_ticket() {
    if (!options.request_count) return true;
    return timed_started.fetch_add(1) < *options.request_count;
  }
};

std::string reason_of(const beast::error_code& error) {
  if (error == beast::error::timeout) return "timeout";
  if (error == http::error::end_of_stream || error == asio::error::eof) return "connection_closed";
  if (error == asio::error::connection_refused) return "connection_refused";
  if (error == asio::error::connection_reset) return "connection_reset";
  return error.category().name() + std::string(": ") + error.message();
}

// The reason code of a refusal: the "code" of the JSON error body, without parsing the JSON
// (the body is the broker's or nginx's; a missing code is reported as the HTTP status).
std::string reason_of(const http::response<http::string_body>& response) {
  const std::string& body = response.body();
  constexpr std::string_view key = R"("code")";
  if (const auto at = body.find(key); at != std::string::npos) {
    const auto open = body.find('"', at + key.size());
    const auto close = open == std::string::npos ? open : body.find('"', open + 1);
    if (close != std::string::npos) return body.substr(open + 1, close - open - 1);
  }
  return "http_" + std::to_string(response.result_int());
}

class Connection {
 public:
  Connection(asio::io_context& io, Shared& shared, Stats& stats) : io_(io), shared_(shared), stats_(stats) {}

  asio::awaitable<void> run() {
    bool first = true;
    while (shared_.phase.load() != Phase::stopping) {
      const bool ok = co_await connect_once(first);
      // --hold opens thousands of connections a bounded number at a time, so that none waits
      // past its timeout behind the others: each first attempt starts the next connection.
      if (first && shared_.options.hold) shared_.start_next();
      first = false;
      if (!ok) {
        co_await pause(std::chrono::milliseconds(100));  // no hot loop against a dead server
        continue;
      }
      if (shared_.options.mode == Mode::handshake) {
        // Close with close_notify and wait for the server's side: in TLS 1.3 the client is done
        // before the server has read its certificate and Finished, and a bare close would reset
        // the connection before the server did that work, flattering the rate.
        beast::get_lowest_layer(*stream_).expires_after(timeout());
        co_await stream_->async_shutdown(use_tuple);
        beast::get_lowest_layer(*stream_).socket().close();
        continue;
      }
      co_await request_loop();
    }
  }

  static constexpr std::size_t kHeldHandshakes = 64;

 private:
  // TCP connect + TLS handshake on a new stream (a fresh SSL object: no session to resume).
  asio::awaitable<bool> connect_once(bool first) {
    stream_ = std::make_unique<Stream>(io_, shared_.tls);
    const auto& name = shared_.options.server_name;
    // SNI. SSL_set_tlsext_host_name is a macro with a C cast; this is its expansion.
    SSL_ctrl(stream_->native_handle(), SSL_CTRL_SET_TLSEXT_HOSTNAME, TLSEXT_NAMETYPE_host_name,
             const_cast<char*>(name.c_str()));
    stream_->set_verify_callback(asio::ssl::host_name_verification(name));
    auto& tcp = beast::get_lowest_layer(*stream_);
    tcp.expires_after(timeout());
    const bool timed = shared_.phase.load() == Phase::timed && shared_.options.mode == Mode::handshake &&
                       shared_.take_timed_ticket();
    const auto start = Clock::now();
    auto [connect_error] = co_await tcp.async_connect(shared_.endpoint, use_tuple);
    beast::error_code error = connect_error;
    if (!error) {
      tcp.socket().set_option(asio::ip::tcp::no_delay(true));
      auto [handshake_error] = co_await stream_->async_handshake(asio::ssl::stream_base::client, use_tuple);
      error = handshake_error;
    }
    if (first) {
      if (!error) shared_.connected.fetch_add(1);
      shared_.settled.fetch_add(1);
    }
    if (error) {
      const std::string what = connect_error ? "connect " : "handshake ";
      if (shared_.phase.load() != Phase::stopping) ++stats_.errors[what + reason_of(error)];
      co_return false;
    }
    // Counted even when it ends after the stop, like a request in flight then.
    if (timed) record(start, "handshake ok", 0, true);
    co_return true;
  }

  asio::awaitable<void> request_loop() {
    auto& tcp = beast::get_lowest_layer(*stream_);
    while (true) {
      const Phase phase = shared_.phase.load();
      if (phase == Phase::stopping) co_return;
      // A held connection's one request counts whenever it is made.
      const bool timed = shared_.options.hold || (phase == Phase::timed && shared_.take_timed_ticket());
      if (phase == Phase::timed && !timed) {  // the request count is reached: wait for the stop
        co_await pause(std::chrono::milliseconds(10));
        continue;
      }
      const std::uint64_t sequence = shared_.sequence.fetch_add(1);
      const auto request = make_request(sequence);
      const std::string& kind =
          shared_.options.mode == Mode::exchange ? shared_.options.mix[shared_.mix.kind_of(sequence)].name : http_kind_;

      const auto start = Clock::now();
      tcp.expires_after(timeout());
      auto [write_error, written] = co_await http::async_write(*stream_, request, use_tuple);
      http::response<http::string_body> response;
      beast::error_code error = write_error;
      if (!error) {
        auto [read_error, read] = co_await http::async_read(*stream_, buffer_, response, use_tuple);
        error = read_error;
      }
      if (error) {
        if (timed && shared_.phase.load() != Phase::stopping) {
          const std::string reason = reason_of(error);
          ++stats_.errors[reason];
          ++stats_.outcomes[kind + " " + reason];
        }
        co_return;  // reconnect
      }
      if (timed) {
        const bool ok = response.result_int() / 100 == 2;
        const std::string reason = ok ? "ok" : reason_of(response);
        if (!ok) ++stats_.errors[reason];
        record(start, kind + " " + reason, response.body().size(), ok);
      }
      if (!response.keep_alive()) co_return;
      if (shared_.options.hold && response.result_int() / 100 == 2) co_return co_await hold_idle();
    }
  }

  // Keeps the answered connection open, sending nothing, until the run stops.
  asio::awaitable<void> hold_idle() {
    shared_.holding.fetch_add(1);
    while (shared_.phase.load() != Phase::stopping) co_await pause(std::chrono::milliseconds(100));
  }

  http::request<http::string_body> make_request(std::uint64_t sequence) const {
    const auto& options = shared_.options;
    http::request<http::string_body> request;
    request.target(options.path);
    request.set(http::field::host, options.server_name);
    request.keep_alive(true);
    std::string body = options.mode == Mode::exchange  ? shared_.mix.exchange_body(sequence)
                       : options.mode == Mode::publish ? shared_.mix.publish_body(sequence)
                                                       : options.body;
    if (body.empty()) {
      request.method(http::verb::get);
    } else {
      request.method(http::verb::post);
      request.set(http::field::content_type, "application/json");
      request.body() = std::move(body);
      request.prepare_payload();
    }
    return request;
  }

  void record(Clock::time_point start, const std::string& outcome, std::size_t body_bytes, bool ok) {
    const auto elapsed = std::chrono::duration_cast<std::chrono::nanoseconds>(Clock::now() - start);
    stats_.latency.record(static_cast<std::uint64_t>(elapsed.count()));
    ++stats_.completed;
    ++stats_.outcomes[outcome];
    if (ok) {
      ++stats_.succeeded;
      stats_.response_bytes += body_bytes;
    }
  }

  asio::awaitable<void> pause(std::chrono::milliseconds delay) {
    asio::steady_timer timer(io_, delay);
    co_await timer.async_wait(use_tuple);
  }

  std::chrono::steady_clock::duration timeout() const {
    return std::chrono::duration_cast<std::chrono::steady_clock::duration>(
        std::chrono::duration<double>(shared_.options.timeout_seconds));
  }

  asio::io_context& io_;
  Shared& shared_;
  Stats& stats_;
  std::unique_ptr<Stream> stream_;
  beast::flat_buffer buffer_;
  const std::string http_kind_ = "request";
};

// One io_context per thread, each with its own connections and stats: nothing is shared on
// the hot path but two atomics.
struct Worker {
  asio::io_context io{1};
  Stats stats;
  std::vector<std::unique_ptr<Connection>> connections;
  std::thread thread;
};

void sleep_while(Shared& shared, double seconds, bool stop_at_count) {
  const auto until = Clock::now() + std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>(seconds));
  while (Clock::now() < until) {
    if (stop_at_count && shared.options.request_count &&
        shared.timed_started.load() >= *shared.options.request_count) {
      return;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
}

}  // namespace

RunResult run_load(const Options& options) {
  Shared shared(options);
  std::vector<std::unique_ptr<Worker>> workers;
  for (std::size_t i = 0; i < options.threads; ++i) workers.push_back(std::make_unique<Worker>());
  for (std::size_t i = 0; i < options.connections; ++i) {
    auto& worker = *workers[i % workers.size()];
    worker.connections.push_back(std::make_unique<Connection>(worker.io, shared, worker.stats));
  }
  std::atomic<std::size_t> next{0};
  shared.start_next = [&] {
    const std::size_t i = next.fetch_add(1);
    if (i >= options.connections) return;
    auto& worker = *workers[i % workers.size()];
    asio::co_spawn(worker.io, worker.connections[i / workers.size()]->run(), asio::detached);
  };
  const std::size_t first_batch = options.hold ? std::min(options.connections, Connection::kHeldHandshakes)
                                               : options.connections;
  for (std::size_t i = 0; i < first_batch; ++i) shared.start_next();
  for (auto& worker : workers) worker->thread = std::thread([&io = worker->io] { io.run(); });

  // Warm-up starts when every connection has made its first attempt (bounded by the timeout).
  const auto connect_deadline =
      Clock::now() + std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>(options.timeout_seconds + 1));
  while (shared.settled.load() < options.connections && Clock::now() < connect_deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  if (options.hold) {
    // Every connection gets its answer (or its connects time out), then the idle hold begins.
    const auto hold_deadline =
        Clock::now() + std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>(
                           options.timeout_seconds * (1.0 + static_cast<double>(options.connections) /
                                                                Connection::kHeldHandshakes)));
    while (shared.holding.load() < options.connections && Clock::now() < hold_deadline) {
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    std::cout << "HOLDING " << shared.holding.load() << std::endl;
  }
  sleep_while(shared, options.warmup_seconds, false);
  const auto timed_start = Clock::now();
  shared.phase.store(Phase::timed);
  sleep_while(shared, options.duration_seconds, true);
  // Requests still in flight finish (their latency counts) but no new one starts.
  shared.phase.store(Phase::stopping);
  const auto timed_end = Clock::now();

  RunResult result;
  for (auto& worker : workers) {
    // Bounded: every connection waits at most the timeout for its last answer.
    worker->thread.join();
    result.stats.merge(worker->stats);
  }
  result.timed_seconds = std::chrono::duration<double>(timed_end - timed_start).count();
  result.connected = shared.connected.load();
  return result;
}

}  // namespace pse::load
