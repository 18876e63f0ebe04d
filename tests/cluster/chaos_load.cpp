// pse-chaos-load — the load of the hub's failure tests (scripts/chaos). Consumers ask for birth
// records and État civil publishes deaths through the hub's one address (HAProxy), while RAMQ
// and Retraite Québec subscribe on every broker; every outcome is counted, so that whatever a
// killed broker or database lost or doubled shows at the end.
//
// Usage: pse-chaos-load CA_FILE ORGS_DIR HUB BROKERS OUT_DIR [options]
//   HUB      host:port that leads to the brokers (HAProxy)
//   BROKERS  the brokers' own host:port, comma-separated: the subscribers connect to each
//   --consumers N    exchange loops, half Retraite Québec and half Services Québec (default 6)
//   --publishers N   publish loops (default 2)
//   --subject ID     the citizen asked about; both consumers need their consent (QC-1957-0042)
//   --retry-for S    how long a loop keeps retrying one call with the same id or key (60)
//   --settle S       after the load, how long to wait for every event to arrive (60)
//   --strict         a single error returned by the SDK fails the run (a rolling restart)
//
// Runs until SIGINT or SIGTERM, then stops sending, lets the calls in flight finish and waits
// for every acknowledged event to reach both subscribers. Writes OUT_DIR/exchanges.tsv (request
// id, consumer, outcome, tries, audit seq), publishes.tsv (key, event id, outcome, tries),
// deliveries.tsv (subscriber, event id, attempt) and summary.json. Exit 0 when nothing
// acknowledged was lost or doubled and every call was answered; 1 otherwise; 2 usage.
//
// A call is retried by the loop with the same request id (exchange) or idempotency key (publish)
// after any error but a policy refusal (4xx): the hub answers a request id once and a key once,
// whichever broker each try reaches. How often that was needed is reported by reason.
#include <pse/client.hpp>
#include <pse/provider.hpp>

#include <boost/json/serialize.hpp>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <csignal>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <map>
#include <mutex>
#include <set>
#include <string>
#include <thread>
#include <unistd.h>
#include <vector>

namespace {

using Clock = std::chrono::steady_clock;
using namespace std::chrono_literals;

struct Options {
  std::filesystem::path ca, orgs, out;
  pse::BrokerAddress hub;
  std::vector<pse::BrokerAddress> brokers;
  int consumers = 6;
  int publishers = 2;
  std::string subject = "QC-1957-0042";
  std::chrono::seconds retry_for{60};
  std::chrono::seconds settle{60};
  bool strict = false;
};

pse::BrokerAddress parse_address(const std::string& text) {
  const auto colon = text.rfind(':');
  if (colon == std::string::npos) throw std::invalid_argument("not host:port: " + text);
  return {text.substr(0, colon), static_cast<std::uint16_t>(std::stoul(text.substr(colon + 1)))};
}

Options parse(int argc, char** argv) {
  if (argc < 6) throw std::invalid_argument("missing arguments");
  Options options;
  options.ca = argv[1];
  options.orgs = argv[2];
  options.hub = parse_address(argv[3]);
  for (std::string rest = argv[4]; !rest.empty();) {
    const auto comma = rest.find(',');
    options.brokers.push_back(parse_address(rest.substr(0, comma)));
    rest = comma == std::string::npos ? "" : rest.substr(comma + 1);
  }
  options.out = argv[5];
  for (int i = 6; i < argc; ++i) {
    const std::string flag = argv[i];
    if (flag == "--strict") {
      options.strict = true;
      continue;
    }
    if (i + 1 >= argc) throw std::invalid_argument(flag + " needs a value");
    const std::string value = argv[++i];
    if (flag == "--consumers") options.consumers = std::stoi(value);
    else if (flag == "--publishers") options.publishers = std::stoi(value);
    else if (flag == "--subject") options.subject = value;
    else if (flag == "--retry-for") options.retry_for = std::chrono::seconds(std::stoi(value));
    else if (flag == "--settle") options.settle = std::chrono::seconds(std::stoi(value));
    else throw std::invalid_argument("unknown option " + flag);
  }
  if (options.consumers < 0 || options.publishers < 0) throw std::invalid_argument("negative count");
  return options;
}

pse::ClientOptions options_for(const Options& options, const std::string& org) {
  pse::ClientOptions client;
  client.ca_file = options.ca;
  client.certificate_file = options.orgs / (org + ".crt");
  client.key_file = options.orgs / (org + ".key");
  // scripts/dev-pki makes one per body: État civil's deaths are signed events.
  if (std::filesystem::exists(options.orgs / (org + ".sign.key"))) client.signing_key_file = options.orgs / (org + ".sign.key");
  client.server_name = "localhost";
  return client;
}

// A refusal by policy or consent (4xx) is an answer: trying again would get the same.
bool is_refusal(pse::Reason reason) {
  const int status = pse::http_status(reason);
  return status >= 400 && status < 500;
}

// What every loop records, and what the summary counts.
class Ledger {
 public:
  void sdk_error(const pse::Error& error) {
    std::lock_guard lock(mutex_);
    ++sdk_errors_[std::string(pse::to_string(error.reason))];
    if (last_messages_.size() < 20) last_messages_.insert(std::string(pse::to_string(error.reason)) + ": " + error.message);
  }
  void exchange(std::string line, bool answered, bool refused, Clock::duration took) {
    std::lock_guard lock(mutex_);
    exchanges_.push_back(std::move(line));
    exchange_ms_.push_back(std::chrono::duration<double, std::milli>(took).count());
    (answered ? answered_ : refused ? refused_ : failed_)++;
  }
  void publish(const std::string& key, const std::string& event_id, bool acknowledged, int tries, Clock::duration took) {
    std::lock_guard lock(mutex_);
    publish_ms_.push_back(std::chrono::duration<double, std::milli>(took).count());
    publishes_.push_back(key + "\t" + event_id + "\t" + (acknowledged ? "202" : "failed") + "\t" + std::to_string(tries));
    if (acknowledged) {
      if (!published_.insert(event_id).second) ++event_id_reused_;
    } else {
      ++publish_failed_;
    }
  }
  void delivery(const std::string& subscriber, const std::string& event_id, unsigned attempt) {
    std::lock_guard lock(mutex_);
    deliveries_.push_back(subscriber + "\t" + event_id + "\t" + std::to_string(attempt));
    ++received_[subscriber][event_id];
  }

  /// Events acknowledged (202) that `subscriber` has not received yet.
  std::size_t missing(const std::string& subscriber) const {
    std::lock_guard lock(mutex_);
    std::size_t count = 0;
    const auto found = received_.find(subscriber);
    for (const auto& event : published_) {
      if (found == received_.end() || !found->second.contains(event)) ++count;
    }
    return count;
  }

  std::string progress() const {
    std::lock_guard lock(mutex_);
    std::size_t errors = 0;
    for (const auto& [reason, count] : sdk_errors_) errors += count;
    return std::to_string(answered_) + " exchanges answered, " + std::to_string(published_.size()) + " events published, " +
           std::to_string(deliveries_.size()) + " deliveries, " + std::to_string(errors) + " SDK errors retried";
  }

  /// Writes the files and summary.json; true when nothing was lost or doubled.
  bool finish(const Options& options, const std::vector<std::string>& subscribers, double load_seconds) const {
    std::lock_guard lock(mutex_);
    write_lines(options.out / "exchanges.tsv", exchanges_);
    write_lines(options.out / "publishes.tsv", publishes_);
    write_lines(options.out / "deliveries.tsv", deliveries_);

    boost::json::object summary;
    summary["load_seconds"] = load_seconds;
    summary["exchanges"] = {{"answered", answered_}, {"refused", refused_}, {"failed", failed_}, {"ms", spread(exchange_ms_)}};
    std::size_t sdk_errors = 0;
    boost::json::object by_reason;
    for (const auto& [reason, count] : sdk_errors_) {
      by_reason[reason] = count;
      sdk_errors += count;
    }
    summary["sdk_errors_retried"] = by_reason;
    boost::json::object delivered;
    std::size_t lost = 0, unexpected = 0;
    for (const auto& subscriber : subscribers) {
      std::size_t events = 0, redelivered = 0, strangers = 0;
      const auto found = received_.find(subscriber);
      if (found != received_.end()) {
        for (const auto& [event, count] : found->second) {
          if (published_.contains(event)) ++events;
          else ++strangers;
          redelivered += count - 1;
        }
      }
      lost += published_.size() - events;
      unexpected += strangers;
      delivered[subscriber] = {{"events", events}, {"missing", published_.size() - events},
                               {"redelivered", redelivered}, {"unexpected", strangers}};
    }
    summary["publishes"] = {{"acknowledged", published_.size()}, {"failed", publish_failed_},
                            {"event_id_reused", event_id_reused_}, {"ms", spread(publish_ms_)}};
    summary["deliveries"] = delivered;
    bool ok = failed_ == 0 && publish_failed_ == 0 && event_id_reused_ == 0 && lost == 0 && unexpected == 0;
    if (options.strict && sdk_errors > 0) ok = false;
    summary["ok"] = ok;
    boost::json::array messages;
    for (const auto& message : last_messages_) messages.emplace_back(message);
    summary["sample_errors"] = messages;
    std::ofstream(options.out / "summary.json") << boost::json::serialize(summary) << "\n";
    std::cout << boost::json::serialize(summary) << std::endl;
    return ok;
  }

 private:
  // Each call's time from its first try to its answer, retries included: how long a failure
  // held the callers up.
  static boost::json::object spread(std::vector<double> ms) {
    if (ms.empty()) return {};
    std::sort(ms.begin(), ms.end());
    auto at = [&](double p) { return ms[static_cast<std::size_t>(p * static_cast<double>(ms.size() - 1))]; };
    return {{"p50", at(0.5)}, {"p99", at(0.99)}, {"max", ms.back()}};
  }

  static void write_lines(const std::filesystem::path& path, const std::vector<std::string>& lines) {
    std::ofstream file(path);
    for (const auto& line : lines) file << line << "\n";
  }

  mutable std::mutex mutex_;
  std::map<std::string, std::size_t> sdk_errors_;
  std::set<std::string> last_messages_;
  std::vector<std::string> exchanges_, publishes_, deliveries_;
  std::vector<double> exchange_ms_, publish_ms_;
  std::size_t answered_ = 0, refused_ = 0, failed_ = 0, publish_failed_ = 0, event_id_reused_ = 0;
  std::set<std::string> published_;
  std::map<std::string, std::map<std::string, std::size_t>> received_;
};

std::atomic<bool> stopping{false};

// Runs `call` (an exchange or a publish with a fixed id) until it is answered, refused by
// policy, or `retry_for` has passed; every SDK error before that is recorded. Returns the last
// result and how many tries it took.
template <typename Call>
auto with_retries(const Options& options, Ledger& ledger, Call call) {
  const auto give_up = Clock::now() + options.retry_for;
  auto delay = 100ms;
  for (int tries = 1;; ++tries) {
    auto result = call();
    if (result || is_refusal(result.error().reason) || Clock::now() + delay >= give_up) {
      return std::make_pair(std::move(result), tries);
    }
    ledger.sdk_error(result.error());
    std::this_thread::sleep_for(delay);
    delay = std::min(delay * 2, std::chrono::milliseconds(1000));
  }
}

struct ConsumerRole {
  std::string org, purpose;
};

void consume(const Options& options, Ledger& ledger, pse::Client& client, const ConsumerRole& role,
             const std::string& tag, int loop) {
  for (long n = 0; !stopping; ++n) {
    pse::ExchangeRequest request;
    request.subject = options.subject;
    request.provider = "etat-civil";
    request.category = "identity.birth";
    request.purpose = role.purpose;
    request.fields = {"surname", "given_names", "birth_date"};
    request.request_id = tag + "-" + role.org + "-" + std::to_string(loop) + "-" + std::to_string(n);
    const auto asked = Clock::now();
    auto [answer, tries] = with_retries(options, ledger, [&] { return client.exchange(request); });
    std::string line = *request.request_id + "\t" + role.org + "\t";
    if (answer) {
      line += "200\t" + std::to_string(tries) + "\t" + std::to_string(answer->audit_seq);
    } else {
      line += std::string(is_refusal(answer.error().reason) ? "refused:" : "failed:") +
              std::string(pse::to_string(answer.error().reason)) + "\t" + std::to_string(tries) + "\t-";
    }
    ledger.exchange(std::move(line), static_cast<bool>(answer), !answer && is_refusal(answer.error().reason),
                    Clock::now() - asked);
  }
}

void publish(const Options& options, Ledger& ledger, pse::Client& client, const std::string& tag, int loop) {
  for (long n = 0; !stopping; ++n) {
    pse::PublishRequest request;
    request.category = "identity.death";
    request.subject = "QC-CHAOS-" + std::to_string(n % 64);
    request.idempotency_key = tag + "-" + std::to_string(loop) + "-" + std::to_string(n);
    // The run's tag in a field both subscribers receive: a delivery from an earlier run on the
    // same store is told apart from an event this run did not acknowledge.
    request.record = {{"surname", "CHAOS-" + tag},
                      {"given_names", request.idempotency_key},
                      {"birth_date", "1940-01-01"},
                      {"death_date", "2026-12-01"},
                      {"death_place", "Québec"}};
    const auto asked = Clock::now();
    auto [answer, tries] = with_retries(options, ledger, [&] { return client.publish(request); });
    ledger.publish(request.idempotency_key, answer ? answer->event_id : "-", static_cast<bool>(answer), tries,
                   Clock::now() - asked);
  }
}

std::unique_ptr<pse::Provider> subscriber(const Options& options, Ledger& ledger, const std::string& org,
                                          const std::string& purpose, const std::string& tag) {
  pse::ClientOptions client = options_for(options, org);
  client.brokers = options.brokers;
  pse::ProviderOptions provider_options;
  provider_options.reconnect_max = 1000ms;  // a restarted broker is back within a second or two
  auto provider = std::make_unique<pse::Provider>(client, provider_options);
  const std::string ours = "CHAOS-" + tag;
  provider->subscribe({{"identity.death", purpose}}, [&ledger, org, ours](const pse::Delivery& delivery) -> pse::Status {
    const auto surname = delivery.record.if_contains("surname");
    if (surname && surname->is_string() && surname->as_string() == ours) {
      ledger.delivery(org, delivery.event_id, delivery.attempt);
    }
    return pse::Done{};
  });
  if (auto started = provider->start(); !started) throw std::runtime_error(org + ": " + started.error().message);
  if (auto ready = provider->wait_ready(10s); !ready) {
    throw std::runtime_error(org + " could not subscribe: " + ready.error().message);
  }
  return provider;
}

}  // namespace

int main(int argc, char** argv) {
  Options options;
  try {
    options = parse(argc, argv);
  } catch (const std::exception& error) {
    std::cerr << "pse-chaos-load: " << error.what() << "\n"
              << "usage: pse-chaos-load CA_FILE ORGS_DIR HUB BROKERS OUT_DIR [--consumers N] [--publishers N]\n"
              << "       [--subject ID] [--retry-for S] [--settle S] [--strict]\n";
    return 2;
  }
  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGINT);
  sigaddset(&signals, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);

  try {
    std::filesystem::create_directories(options.out);
    const std::string tag = std::to_string(::getpid()) + "x" +
                            std::to_string(std::chrono::system_clock::now().time_since_epoch().count() % 1000000007);
    Ledger ledger;
    const std::vector<std::pair<std::string, std::string>> subscriptions = {
        {"ramq", "health_insurance_termination"}, {"retraite-quebec", "pension_termination"}};
    std::vector<std::unique_ptr<pse::Provider>> subscribers;
    for (const auto& [org, purpose] : subscriptions) subscribers.push_back(subscriber(options, ledger, org, purpose, tag));

    // The consumers and the publisher reach the hub through its one address.
    auto hub_client = [&](const std::string& org, int loops) {
      pse::ClientOptions client = options_for(options, org);
      client.host = options.hub.host;
      client.port = options.hub.port;
      client.max_connections = static_cast<std::size_t>(std::max(loops, 1));
      return std::make_unique<pse::Client>(client);
    };
    const std::vector<ConsumerRole> roles = {{"retraite-quebec", "pension_eligibility"},
                                             {"services-quebec", "identity_verification"}};
    std::vector<std::unique_ptr<pse::Client>> clients;
    for (const auto& role : roles) clients.push_back(hub_client(role.org, (options.consumers + 1) / 2));
    auto publisher = hub_client("etat-civil", options.publishers);

    const auto started = Clock::now();
    std::vector<std::thread> loops;
    for (int i = 0; i < options.consumers; ++i) {
      const auto r = static_cast<std::size_t>(i % 2);
      loops.emplace_back([&, r, i] { consume(options, ledger, *clients[r], roles[r], tag, i); });
    }
    for (int i = 0; i < options.publishers; ++i) loops.emplace_back([&, i] { publish(options, ledger, *publisher, tag, i); });
    std::cout << "pse-chaos-load: " << options.consumers << " consumer and " << options.publishers
              << " publisher loops through " << options.hub.host << ":" << options.hub.port << "; run tag " << tag
              << std::endl;

    for (;;) {  // until SIGINT or SIGTERM, a progress line every 5 s
      const timespec five_seconds{5, 0};
      if (sigtimedwait(&signals, nullptr, &five_seconds) > 0) break;
      std::cout << "  " << ledger.progress() << std::endl;
    }
    stopping = true;
    for (auto& loop : loops) loop.join();
    const double load_seconds = std::chrono::duration<double>(Clock::now() - started).count();
    std::cout << "pse-chaos-load: load stopped (" << ledger.progress() << "); waiting for deliveries" << std::endl;

    const auto settle_until = Clock::now() + options.settle;
    for (;;) {
      std::size_t missing = 0;
      for (const auto& [org, purpose] : subscriptions) missing += ledger.missing(org);
      if (missing == 0 || Clock::now() >= settle_until) break;
      std::this_thread::sleep_for(200ms);
    }
    std::this_thread::sleep_for(1s);  // a late redelivery is counted too
    for (auto& each : subscribers) each->stop();
    std::vector<std::string> names;
    for (const auto& [org, purpose] : subscriptions) names.push_back(org);
    return ledger.finish(options, names, load_seconds) ? 0 : 1;
  } catch (const std::exception& error) {
    std::cerr << "pse-chaos-load: " << error.what() << "\n";
    return 1;
  }
}
