// pse-feedback serve: the citizen-facing HTTPS page, and the outbox publisher in the background.
#include "base/log.hpp"
#include "cli.hpp"
#include "feedback_store.hpp"
#include "https_server.hpp"
#include "link_token.hpp"
#include "outbox.hpp"
#include "rate_limiter.hpp"
#include "sdk_publisher.hpp"
#include "web_app.hpp"

#include <chrono>
#include <condition_variable>
#include <iostream>
#include <mutex>
#include <thread>

namespace pse::feedback::cli {
namespace {

const char* const kHelp = R"(usage: pse-feedback serve --config FILE

Serves the feedback form on the configured HTTPS listener (links: <public_url>/f/<token>).
When the configuration has a `broker` section, approved answers are published to the body
that owns the service (feedback.submitted) every publish_interval_seconds and right after an
answer is approved; those that fail stay in the outbox and are retried. SIGTERM stops.
The first log line with "msg":"listening" gives the port (useful with port 0).
)";

// Publishes the outbox every interval, or at once when woken; stops with the server.
class OutboxWorker {
 public:
  OutboxWorker(FeedbackStore& store, const ServiceCatalog& services, const BrokerSettings& broker)
      : store_(store), services_(services), publisher_(broker), interval_(broker.publish_interval_seconds),
        thread_([this] { loop(); }) {}
  ~OutboxWorker() {
    {
      std::lock_guard lock(mutex_);
      stopping_ = true;
    }
    wake_.notify_all();
    thread_.join();
  }
  OutboxWorker(const OutboxWorker&) = delete;
  OutboxWorker& operator=(const OutboxWorker&) = delete;

  void wake() {
    {
      std::lock_guard lock(mutex_);
      woken_ = true;
    }
    wake_.notify_all();
  }

 private:
  void loop() {
    std::unique_lock lock(mutex_);
    while (!stopping_) {
      lock.unlock();
      const auto now = std::chrono::duration_cast<std::chrono::seconds>(
                           std::chrono::system_clock::now().time_since_epoch()).count();
      if (auto drained = drain_outbox(store_, services_, publisher_, now); !drained) {
        log::error("feedback outbox failed", {{"error", drained.error().message}});
      }
      lock.lock();
      wake_.wait_for(lock, std::chrono::seconds(interval_), [this] { return stopping_ || woken_; });
      woken_ = false;
    }
  }

  FeedbackStore& store_;
  const ServiceCatalog& services_;
  SdkPublisher publisher_;
  int interval_;
  std::mutex mutex_;
  std::condition_variable wake_;
  bool stopping_ = false;
  bool woken_ = false;
  std::thread thread_;
};

}  // namespace

int serve_command(const std::vector<std::string>& args) {
  std::string error;
  auto arguments = parse_arguments(args, {"config"}, error);
  if (!arguments) return usage_error("serve", error);
  if (arguments->help) {
    std::cout << kHelp;
    return kOk;
  }
  if (!arguments->positional.empty()) return usage_error("serve", "unexpected argument '" + arguments->positional[0] + "'");
  const FeedbackConfig config = load_config(*arguments);
  const ServiceCatalog services = ServiceCatalog::load(config.services);
  const WordFilter words = load_words(config);
  auto signer = LinkSigner::load(config.signing_key);
  if (!signer) {
    std::cerr << "pse-feedback: error: " << signer.error() << "\n";
    return kUsage;
  }
  FeedbackStore store(config.database);
  RateLimiter limiter(config.rate_limit_posts, std::int64_t{config.rate_limit_seconds} * 1000);
  WebAppOptions options;
  options.max_comment_chars = config.comment_max_chars;
  options.moderation = config.moderation;
  WebApp app(services, *signer, store, words, limiter, options);

  std::unique_ptr<OutboxWorker> outbox;
  if (config.broker) {
    outbox = std::make_unique<OutboxWorker>(store, services, *config.broker);
    app.on_approved([&outbox] { outbox->wake(); });
  } else {
    log::warn("no broker configured: approved feedback waits in the outbox");
  }

  web::HttpsServerOptions server_options;
  server_options.address = config.listen_address;
  server_options.port = config.listen_port;
  server_options.certificate = config.tls_certificate;
  server_options.key = config.tls_key;
  server_options.body_limit = config.body_max_bytes;
  server_options.max_connections = config.max_connections;
  server_options.server_name = "pse-feedback";
  server_options.headers = security_headers();
  server_options.error_page = error_page;
  web::HttpsServer server(server_options, [&app](const WebRequest& request) { return app.handle(request); });
  log::info("listening", {{"address", config.listen_address}, {"port", server.port()}});
  server.run();
  log::info("stopped");
  return kOk;
}

}  // namespace pse::feedback::cli
