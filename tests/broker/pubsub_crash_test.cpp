// Nothing acknowledged is lost: publishers keep publishing while the pse-broker process is
// killed with SIGKILL at random moments and restarted, subscribers keep reconnecting, and in the
// end every event answered 202 has reached every entitled subscriber, none other, each key named
// one event, and `pse-audit verify` accepts the audit log.
#include "audit/audit_keys.hpp"
#include "support/pg_test_database.hpp"
#include "support/queue_key.hpp"
#include "support/server_port.hpp"
#include "support/signing_keys.hpp"
#include "support/temp_dir.hpp"
#include "support/test_pki.hpp"
#include "support/tls_client.hpp"

#include <pse/client.hpp>
#include <pse/provider.hpp>

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/json.hpp>
#include <gtest/gtest.h>

#include <atomic>
#include <csignal>
#include <deque>
#include <fstream>
#include <fcntl.h>
#include <map>
#include <mutex>
#include <random>
#include <set>
#include <sys/wait.h>
#include <thread>
#include <unistd.h>

namespace pse::testing {
namespace {

namespace json = boost::json;
using namespace std::chrono_literals;

// Waits until something accepts connections on the port (the broker has finished starting).
bool wait_listening(std::uint16_t port) {
  for (int i = 0; i < 500; ++i) {
    boost::asio::io_context io;
    boost::asio::ip::tcp::socket socket(io);
    boost::system::error_code ec;
    socket.connect({boost::asio::ip::make_address("127.0.0.1"), port}, ec);
    if (!ec) return true;
    std::this_thread::sleep_for(20ms);
  }
  return false;
}

class BrokerProcess {
 public:
  BrokerProcess(std::filesystem::path config, std::filesystem::path log) : config_(std::move(config)), log_(std::move(log)) {}
  ~BrokerProcess() {
    if (pid_ > 0) kill_now();
  }

  void start() {
    pid_ = fork();
    if (pid_ == 0) {
      const int fd = open(log_.c_str(), O_WRONLY | O_CREAT | O_APPEND, 0600);
      dup2(fd, STDERR_FILENO);
      execl(PSE_BROKER_BINARY, PSE_BROKER_BINARY, "--config", config_.c_str(), static_cast<char*>(nullptr));
      _exit(127);
    }
  }

  void kill_now() {
    kill(pid_, SIGKILL);
    int status = 0;
    waitpid(pid_, &status, 0);
    pid_ = -1;
  }

  /// SIGTERM; true when it drained and exited 0 within 10 s.
  bool stop() {
    kill(pid_, SIGTERM);
    int status = 0;
    for (int i = 0; i < 400; ++i) {
      if (waitpid(pid_, &status, WNOHANG) == pid_) {
        pid_ = -1;
        return WIFEXITED(status) && WEXITSTATUS(status) == 0;
      }
      std::this_thread::sleep_for(25ms);
    }
    kill_now();
    return false;
  }

 private:
  std::filesystem::path config_;
  std::filesystem::path log_;
  pid_t pid_ = -1;
};

std::string tail_of(const std::filesystem::path& file) {
  std::ifstream in(file);
  std::string line;
  std::deque<std::string> last;
  while (std::getline(in, line)) {
    last.push_back(line);
    if (last.size() > 15) last.pop_front();
  }
  std::string text;
  for (const auto& kept : last) text += kept + "\n";
  return text;
}

// The event ids one subscriber received.
struct Received {
  std::mutex mutex;
  std::set<std::string> events;
  std::size_t deliveries = 0;

  std::size_t count() {
    std::lock_guard lock(mutex);
    return events.size();
  }
};

// On the embedded SQLite store and on PostgreSQL.
class PubSubCrash : public ::testing::TestWithParam<Backend> {};
INSTANTIATE_TEST_SUITE_P(Stores, PubSubCrash, kEachBackend, backend_name);

TEST_P(PubSubCrash, NothingAcknowledgedIsLostAcrossKillsAndRestarts) {
  TempDir dir;
  std::string store = "store: {backend: sqlite, data_dir: data}\n";
  std::string audit_db = (dir / "data" / "audit.db").string();
  if (GetParam() == Backend::postgresql) {
    const PgConnectOptions schema = fresh_pg_schema();
    store = "store: {backend: postgresql, conninfo: \"" + schema.conninfo + "\", password_file: " + pg_password_file() +
            "}\n";
    audit_db = "\"" + schema.conninfo + "\" --password-file " + pg_password_file();
  }
  TestPki pki(dir / "pki");
  const ClientIdentity etat_civil = pki.issue_org("etat-civil");
  const ClientIdentity ramq = pki.issue_org("ramq");
  const ClientIdentity retraite = pki.issue_org("retraite-quebec");
  const ClientIdentity saaq = pki.issue_org("saaq");
  audit::write_new_key_files(dir / "keys");
  write_queue_key(dir / "keys");
  const std::filesystem::path signing_key = write_test_signing_keys(dir / "keys");  // deaths are signed
  // One port for every incarnation of the broker, so that clients keep their address.
  const std::uint16_t port = pse::testing::port_for_child_server();
  const auto config = dir.write(
      "broker.yaml",
      "tls: {ca: pki/ca.crt, crl: pki/crl.pem, cert: pki/servers/broker.crt, key: pki/servers/broker.key}\n"
      "orgs: " PSE_SOURCE_DIR "/config/orgs.yaml\n"
      "classification: " PSE_SOURCE_DIR "/config/classification.yaml\n"
      "policies: " PSE_SOURCE_DIR "/config/policies.yaml\n"
          + store + "keys_dir: keys\n"
      "listen: {port: " + std::to_string(port) + "}\nadmin: {port: 0}\n"
      "pubsub:\n  retry_initial_ms: 50\n  retry_max_ms: 500\n  subscriptions:\n"
      "    - {subscriber: ramq, category: identity.death, purpose: health_insurance_termination}\n"
      "    - {subscriber: retraite-quebec, category: identity.death, purpose: pension_termination}\n"
      "    - {subscriber: saaq, category: identity.death, purpose: address_update}\n");
  BrokerProcess broker(config, dir / "broker.log");
  broker.start();

  auto options_for = [&](const ClientIdentity& who) {
    ClientOptions options;
    options.host = "localhost";
    options.port = port;
    options.ca_file = pki.ca();
    options.certificate_file = who.cert;
    options.key_file = who.key;
    options.signing_key_file = signing_key;
    options.connect_timeout = 1s;
    options.request_timeout = 3s;
    return options;
  };
  ProviderOptions reconnect_fast;
  reconnect_fast.reconnect_initial = 20ms;
  reconnect_fast.reconnect_max = 200ms;

  std::map<std::string, Received> received;
  std::vector<std::unique_ptr<Provider>> subscribers;
  for (const auto& [who, org, purpose] :
       {std::tuple{ramq, "ramq", "health_insurance_termination"}, std::tuple{retraite, "retraite-quebec", "pension_termination"},
        std::tuple{saaq, "saaq", "address_update"}}) {
    auto subscriber = std::make_unique<Provider>(options_for(who), reconnect_fast);
    Received& inbox = received[org];
    subscriber->subscribe({{"identity.death", purpose}}, [&inbox](const Delivery& delivery) -> Status {
      std::lock_guard lock(inbox.mutex);
      inbox.events.insert(delivery.event_id);
      ++inbox.deliveries;
      return Done{};
    });
    ASSERT_TRUE(subscriber->start());
    subscribers.push_back(std::move(subscriber));
  }

  // Publishers: each key is published until the broker answers 202, whatever happens between;
  // they go on until the broker has been killed five times.
  constexpr int kPublishers = 3;
  std::atomic<bool> keep_publishing{true};
  std::atomic<int> keys_started{0};
  std::mutex acknowledged_mutex;
  std::map<std::string, std::string> acknowledged;  // key → event id
  std::atomic<int> duplicates{0};
  std::vector<std::thread> publishers;
  for (int p = 0; p < kPublishers; ++p) {
    publishers.emplace_back([&, p] {
      Client client(options_for(etat_civil));
      for (int i = 0; keep_publishing && i < 5000; ++i) {
        ++keys_started;
        PublishRequest request;
        request.category = "identity.death";
        request.subject = "QC-" + std::to_string(i % 7);
        request.idempotency_key = "p" + std::to_string(p) + "-" + std::to_string(i);
        request.record = json::object{{"surname", "Tremblay"}, {"death_date", "2026-11-20"}, {"cause_of_death", "x"}};
        for (int attempt = 0; attempt < 2000; ++attempt) {
          auto answer = client.publish(request);
          if (answer) {
            if (answer->duplicate) ++duplicates;
            std::lock_guard lock(acknowledged_mutex);
            acknowledged[request.idempotency_key] = answer->event_id;
            break;
          }
          std::this_thread::sleep_for(20ms);
        }
      }
    });
  }

  // Kill the broker at random moments while they publish (a commit, a fan-out, a start-up…),
  // and start it again.
  std::mt19937 random(20261122);
  constexpr int kKills = 5;
  for (int kill = 0; kill < kKills; ++kill) {
    std::this_thread::sleep_for(std::chrono::milliseconds(200 + random() % 500));
    broker.kill_now();
    std::this_thread::sleep_for(std::chrono::milliseconds(random() % 200));
    broker.start();
  }
  ASSERT_TRUE(wait_listening(port));
  std::this_thread::sleep_for(300ms);  // some publishes on the last incarnation too
  keep_publishing = false;
  for (auto& publisher : publishers) publisher.join();
  ASSERT_EQ(acknowledged.size(), static_cast<std::size_t>(keys_started.load())) << "publishes never acknowledged";

  std::set<std::string> events;
  for (const auto& [key, event_id] : acknowledged) events.insert(event_id);
  EXPECT_EQ(events.size(), acknowledged.size()) << "two keys named the same event";

  for (int i = 0; i < 600 && (received["ramq"].count() < events.size() || received["retraite-quebec"].count() < events.size()); ++i) {
    std::this_thread::sleep_for(50ms);
  }
  for (const char* org : {"ramq", "retraite-quebec"}) {
    std::lock_guard lock(received[org].mutex);
    EXPECT_EQ(received[org].events, events) << org << " did not receive every acknowledged event";
    EXPECT_GE(received[org].deliveries, events.size());
  }
  EXPECT_TRUE(received["saaq"].events.empty()) << "a subscriber without a rule received events";
  std::cout << "kills while publishing: " << kKills << ", events: " << events.size() << ", retries answered duplicate: " << duplicates
            << ", deliveries to ramq: " << received["ramq"].deliveries << "\n";

  for (auto& subscriber : subscribers) subscriber->stop();
  EXPECT_TRUE(broker.stop()) << "the last broker did not drain and exit 0 on SIGTERM; its log ends with:\n"
                             << tail_of(dir / "broker.log");
  const std::string verify = std::string(PSE_AUDIT_BINARY) + " verify --db " + audit_db +
                             " --key-dir " + (dir / "keys").string() + " > " + (dir / "verify.txt").string() + " 2>&1";
  EXPECT_EQ(std::system(verify.c_str()), 0) << "pse-audit verify failed";
}

}  // namespace
}  // namespace pse::testing
