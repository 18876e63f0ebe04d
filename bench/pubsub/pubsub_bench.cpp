// pse-bench-pubsub — durable publishes per second, deliveries per second and the end-to-end
// latency publish → delivery, through a real broker (in this process, real mTLS, WebSockets,
// policy, audit and encrypted SQLite queues on disk) with N subscribers.
//
//   pse-bench-pubsub [--subscribers N] [--events M] [--publishers P] [--dir DIR] [--json]
//
// Each of the P publisher threads publishes its share of the M events synchronously, so P
// publishes are in flight at once. Each event goes to every subscriber (one law-based rule per
// subscriber, the record's three fields permitted). The publisher stamps each record with the
// send time; each subscriber's handler takes the difference on arrival (same clock, same host).
#include "audit/audit_keys.hpp"
#include "broker/broker.hpp"
#include "support/queue_key.hpp"
#include "support/temp_dir.hpp"
#include "support/test_pki.hpp"

#include <pse/client.hpp>
#include <pse/provider.hpp>

#include <boost/json.hpp>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <fstream>
#include <iostream>
#include <mutex>
#include <thread>
#include <vector>

namespace {

using namespace std::chrono_literals;
using Clock = std::chrono::steady_clock;
namespace json = boost::json;

struct Options {
  std::size_t subscribers = 10;
  std::size_t events = 2000;
  std::size_t publishers = 16;
  std::filesystem::path dir;  // where the broker's SQLite files go (a real disk, not tmpfs)
  bool json_output = false;
};

Options parse(int argc, char** argv) {
  Options options;
  for (int i = 1; i < argc; ++i) {
    const std::string arg = argv[i];
    auto value = [&]() -> std::string {
      if (i + 1 >= argc) throw std::invalid_argument(arg + " needs a value");
      return argv[++i];
    };
    if (arg == "--subscribers") {
      options.subscribers = std::stoul(value());
    } else if (arg == "--events") {
      options.events = std::stoul(value());
    } else if (arg == "--publishers") {
      options.publishers = std::stoul(value());
    } else if (arg == "--dir") {
      options.dir = value();
    } else if (arg == "--json") {
      options.json_output = true;
    } else {
      throw std::invalid_argument("unknown argument " + arg);
    }
  }
  if (options.subscribers == 0 || options.subscribers > 500) throw std::invalid_argument("--subscribers: 1-500");
  if (options.events == 0 || options.publishers == 0) throw std::invalid_argument("--events and --publishers: > 0");
  return options;
}

std::string subscriber_id(std::size_t i) { return "sub-" + std::to_string(i); }

// A platform of one publisher and N subscribers: orgs, one category, one rule per subscriber.
void write_config(const std::filesystem::path& dir, std::size_t subscribers) {
  std::ofstream orgs(dir / "orgs.yaml");
  orgs << "organisations:\n  - {id: pub, name: Publisher, roles: [provider, publisher], clearance: 1}\n";
  for (std::size_t i = 0; i < subscribers; ++i) {
    orgs << "  - {id: " << subscriber_id(i) << ", name: Subscriber, roles: [subscriber], clearance: 1}\n";
  }
  std::ofstream classification(dir / "classification.yaml");
  classification << "impact_levels: [nul, faible, moyen, élevé]\ncategories:\n"
                    "  - id: bench.event\n    owner: pub\n    description: Benchmark event\n"
                    "    impact: {availability: faible, integrity: faible, confidentiality: faible}\n"
                    "    fields:\n      - {name: seq, confidentiality: 0}\n      - {name: sent_at_ns, confidentiality: 0}\n"
                    "      - {name: payload, confidentiality: 1}\n";
  std::ofstream policies(dir / "policies.yaml");
  policies << "rules:\n";
  for (std::size_t i = 0; i < subscribers; ++i) {
    policies << "  - {id: rule-" << i << ", description: bench, consumer: " << subscriber_id(i)
             << ", provider: pub, category: bench.event, purposes: [bench], basis: law,"
                " legal_reference: bench, fields: [seq, sent_at_ns, payload]}\n";
  }
}

std::int64_t now_ns() {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(Clock::now().time_since_epoch()).count();
}

double percentile(std::vector<std::int64_t>& values, double p) {
  if (values.empty()) return 0;
  const auto at = static_cast<std::size_t>(p * static_cast<double>(values.size() - 1));
  std::nth_element(values.begin(), values.begin() + static_cast<std::ptrdiff_t>(at), values.end());
  return static_cast<double>(values[at]) / 1e6;
}

}  // namespace

int main(int argc, char** argv) {
  try {
    const Options options = parse(argc, argv);
    pse::testing::TempDir temp;
    const std::filesystem::path work = options.dir.empty() ? temp.path() : options.dir;
    std::filesystem::create_directories(work);
    pse::testing::TestPki pki(temp / "pki");
    write_config(temp.path(), options.subscribers);
    pse::audit::write_new_key_files(temp / "keys");
    pse::testing::write_queue_key(temp / "keys");

    pse::broker::BrokerConfig config;
    config.listen = {"127.0.0.1", 0};
    config.admin = {"127.0.0.1", 0};
    config.tls = {pki.ca(), pki.server_cert(), pki.server_key(), pki.crl(), pse::broker::TlsVersion::v1_3};
    config.orgs_file = temp / "orgs.yaml";
    config.classification_file = temp / "classification.yaml";
    config.policies_file = temp / "policies.yaml";
    config.keys_dir = temp / "keys";
    config.store.data_dir = work / ("pubsub-data-" + std::to_string(getpid()));
    config.log_level = "warn";
    // One publisher is the whole load here: no per-organisation limit in the way.
    config.limits.publish_rate_per_org = 1'000'000;
    config.limits.publish_burst_per_org = 1'000'000;
    config.limits.max_publishes_in_flight_per_org = 100'000;
    config.limits.audit_pending_per_org = 65'536;
    for (std::size_t i = 0; i < options.subscribers; ++i) {
      config.pubsub.subscriptions.push_back({subscriber_id(i), "bench.event", "bench"});
    }
    pse::broker::Broker broker(config);
    broker.start(false);

    auto options_for = [&](const pse::testing::ClientIdentity& who) {
      pse::ClientOptions client;
      client.host = "localhost";
      client.port = broker.port();
      client.ca_file = pki.ca();
      client.certificate_file = who.cert;
      client.key_file = who.key;
      client.max_connections = 32;
      return client;
    };

    std::mutex mutex;
    std::condition_variable all_arrived;
    std::vector<std::int64_t> latencies;
    latencies.reserve(options.events * options.subscribers);
    const std::size_t expected = options.events * options.subscribers;
    std::vector<std::unique_ptr<pse::Provider>> subscribers;
    for (std::size_t i = 0; i < options.subscribers; ++i) {
      pse::ProviderOptions provider_options;
      provider_options.max_in_flight = 256;
      provider_options.handler_threads = 1;
      auto subscriber = std::make_unique<pse::Provider>(options_for(pki.issue_org(subscriber_id(i))), provider_options);
      subscriber->subscribe({{"bench.event", "bench"}}, [&](const pse::Delivery& delivery) -> pse::Status {
        const std::int64_t latency = now_ns() - delivery.record.at("sent_at_ns").as_int64();
        std::lock_guard lock(mutex);
        latencies.push_back(latency);
        if (latencies.size() == expected) all_arrived.notify_all();
        return pse::Done{};
      });
      if (!subscriber->start() || !subscriber->wait_ready(30s)) throw std::runtime_error("a subscriber did not connect");
      subscribers.push_back(std::move(subscriber));
    }

    pse::Client publisher(options_for(pki.issue_org("pub")));
    const std::string payload(200, 'x');  // a small record: the cost under test is the path
    std::atomic<std::size_t> next{0};
    std::atomic<std::size_t> failures{0};
    const auto started = Clock::now();
    std::vector<std::thread> threads;
    for (std::size_t t = 0; t < options.publishers; ++t) {
      threads.emplace_back([&] {
        for (std::size_t seq = next++; seq < options.events; seq = next++) {
          pse::PublishRequest request;
          request.category = "bench.event";
          request.subject = "QC-" + std::to_string(seq % 1000);
          request.idempotency_key = "bench-" + std::to_string(seq);
          request.record = json::object{{"seq", seq}, {"sent_at_ns", now_ns()}, {"payload", payload}};
          if (!publisher.publish(request)) ++failures;
        }
      });
    }
    for (auto& thread : threads) thread.join();
    const double publish_seconds = std::chrono::duration<double>(Clock::now() - started).count();
    {
      std::unique_lock lock(mutex);
      all_arrived.wait_for(lock, 300s, [&] { return latencies.size() >= expected; });
    }
    const double delivery_seconds = std::chrono::duration<double>(Clock::now() - started).count();
    for (auto& subscriber : subscribers) subscriber->stop();
    broker.request_drain();
    broker.wait();

    std::lock_guard lock(mutex);
    const std::size_t delivered = latencies.size();
    const double p50 = percentile(latencies, 0.50);
    const double p99 = percentile(latencies, 0.99);
    const double max = latencies.empty() ? 0 : static_cast<double>(*std::max_element(latencies.begin(), latencies.end())) / 1e6;
    const double publishes_per_second = static_cast<double>(options.events - failures) / publish_seconds;
    const double deliveries_per_second = static_cast<double>(delivered) / delivery_seconds;
    if (options.json_output) {
      std::cout << json::serialize(json::object{
                       {"subscribers", options.subscribers}, {"events", options.events},
                       {"publishers", options.publishers}, {"failed_publishes", failures.load()},
                       {"delivered", delivered}, {"publishes_per_second", publishes_per_second},
                       {"deliveries_per_second", deliveries_per_second}, {"latency_p50_ms", p50},
                       {"latency_p99_ms", p99}, {"latency_max_ms", max}})
                << "\n";
    } else {
      std::cout << options.subscribers << " subscribers, " << options.events << " events, " << options.publishers
                << " publishers: " << static_cast<long>(publishes_per_second) << " durable publishes/s, "
                << static_cast<long>(deliveries_per_second) << " deliveries/s, publish→delivery p50 " << p50
                << " ms, p99 " << p99 << " ms, max " << max << " ms (" << delivered << "/" << expected
                << " delivered, " << failures << " publishes failed)\n";
    }
    std::filesystem::remove_all(config.store.data_dir);
    return delivered == expected && failures == 0 ? 0 : 1;
  } catch (const std::exception& error) {
    std::cerr << "pse-bench-pubsub: " << error.what() << "\n";
    return 2;
  }
}
