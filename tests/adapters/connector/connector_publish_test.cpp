// Batch mode end to end: État civil's drop folder published through a real broker
// (POST /v1/publish with the SDK), delivered to RAMQ's subscription, and a second drop of the
// same file published as duplicates and delivered to nobody.
#include "broker_fixture.hpp"

#include "adapters/connector/connector.hpp"
#include "adapters/connector/connector_config.hpp"
#include "adapters/connector/sdk_publisher.hpp"

#include <pse/provider.hpp>

#include <boost/json.hpp>
#include <gmock/gmock.h>

#include <condition_variable>
#include <csignal>
#include <cstdio>
#include <sys/wait.h>
#include <unistd.h>
#include <fstream>
#include <mutex>
#include <thread>

namespace pse::testing {
namespace {

using namespace std::chrono_literals;
namespace fs = std::filesystem;

const std::string kData = PSE_SOURCE_DIR "/config/connectors/data/";

class ConnectorPublishes : public BrokerTest {
 protected:
  fs::path write_config() const {
    return work_.write("etat-civil-batch.yaml",
        "broker: {host: localhost, port: " + std::to_string(broker_->port()) + "}\n"
        "tls: {ca: " + pki_->ca().string() + ", cert: " + etat_civil_.cert.string() + ", key: " + etat_civil_.key.string() +
        ", signing_key: " + signing_key_file_.string() + "}\n"
        "classification: " PSE_SOURCE_DIR "/config/classification.yaml\n"
        "batch:\n"
        "  - category: identity.death\n"
        "    folder: " + (work_ / "deces").string() + "\n"
        "    completion: done_marker\n"
        "    source:\n"
        "      type: copybook\n"
        "      copybook: " + kData + "etat-civil-deces.cpy\n"
        "      code_page: cp037\n"
        "      key: NO-SUJET\n"
        "      on_error: skip_record\n"
        "    fields:\n"
        "      - {name: surname, from: NOM-FAMILLE}\n"
        "      - {name: given_names, from: PRENOMS}\n"
        "      - {name: birth_date, from: DATE-NAISSANCE, type: date, format: \"%Y%m%d\"}\n"
        "      - {name: death_date, from: DATE-DECES, type: date, format: \"%Y%m%d\"}\n");
  }

  void drop(const std::string& name) const {
    fs::copy_file(kData + "etat-civil-deces-20261122.dat", work_ / "deces" / name);
    std::ofstream(work_ / "deces" / (name + ".done")) << "";
  }

  TempDir work_;
};

TEST_F(ConnectorPublishes, ADroppedFileIsPublishedOnceAndDeliveredToTheSubscriber) {
  start_broker();

  // RAMQ subscribes to deaths (rule ramq-death-notice, basis: law).
  std::mutex mutex;
  std::condition_variable arrived;
  std::vector<Delivery> deliveries;
  Provider ramq(sdk_options(ramq_));
  ramq.subscribe({{"identity.death", "health_insurance_termination"}}, [&](const Delivery& delivery) -> Status {
    std::lock_guard lock(mutex);
    deliveries.push_back(delivery);
    arrived.notify_all();
    return Done{};
  });
  ASSERT_TRUE(ramq.start());
  ASSERT_TRUE(ramq.wait_ready(10s));

  connector::SdkPublisher publisher(sdk_options(etat_civil_));
  connector::Connector etat_civil(connector::load_connector_config(write_config()), &publisher);
  drop("deces-20261122.dat");
  auto reports = etat_civil.poll_drop_folders();
  ASSERT_EQ(reports.size(), 1u);
  EXPECT_EQ(reports[0].outcome, connector::FileOutcome::done) << reports[0].reason;
  EXPECT_EQ(reports[0].read, 2u);
  EXPECT_EQ(reports[0].published, 2u);
  EXPECT_EQ(reports[0].duplicates, 0u);
  EXPECT_TRUE(fs::exists(work_ / "deces/done/deces-20261122.dat"));

  {
    std::unique_lock lock(mutex);
    ASSERT_TRUE(arrived.wait_for(lock, 10s, [&] { return deliveries.size() >= 2; }));
    std::sort(deliveries.begin(), deliveries.end(), [](const auto& a, const auto& b) { return a.subject < b.subject; });
    EXPECT_EQ(deliveries[0].publisher, "etat-civil");
    EXPECT_EQ(deliveries[0].subject, "QC-1931-0815");
    EXPECT_EQ(boost::json::serialize(deliveries[0].record),
              R"({"surname":"Lapointe","given_names":"Germaine","birth_date":"1931-08-15","death_date":"2026-11-20"})");
    EXPECT_EQ(deliveries[1].subject, "QC-1944-0302");
    EXPECT_EQ(deliveries[1].record.at("given_names"), "Roméo");
  }

  // The same extract dropped again (the transfer was rerun): duplicates only, nothing delivered.
  drop("deces-20261122-bis.dat");
  reports = etat_civil.poll_drop_folders();
  ASSERT_EQ(reports.size(), 1u);
  EXPECT_EQ(reports[0].outcome, connector::FileOutcome::done) << reports[0].reason;
  EXPECT_EQ(reports[0].published, 0u);
  EXPECT_EQ(reports[0].duplicates, 2u);
  std::this_thread::sleep_for(500ms);
  {
    std::lock_guard lock(mutex);
    EXPECT_EQ(deliveries.size(), 2u);
  }
  ramq.stop();
}

// Both ways through the broker: RAMQ's connector subscribes to the deaths État civil's drop
// folder publishes and writes them, without code, into a file of the very layout État civil
// dropped — the same 100-byte EBCDIC records, rolled with a done-marker.
TEST_F(ConnectorPublishes, DeliveredEventsAreWrittenIntoTheSubscribersLegacyFile) {
  start_broker();
  const auto ramq_config = work_.write("ramq-deliver.yaml",
      "broker: {host: localhost, port: " + std::to_string(broker_->port()) + "}\n"
      "tls: {ca: " + pki_->ca().string() + ", cert: " + ramq_.cert.string() + ", key: " + ramq_.key.string() + "}\n"
      "classification: " PSE_SOURCE_DIR "/config/classification.yaml\n"
      "deliver:\n"
      "  - category: identity.death\n"
      "    purpose: health_insurance_termination\n"
      "    key: NO-SUJET\n"
      "    target: {type: copybook, copybook: " + kData + "etat-civil-deces.cpy, code_page: cp037,\n"
      "             folder: " + (work_ / "recus").string() + ", prefix: DECES, max_records: 2}\n"
      "    fields:\n"
      "      - {name: surname, to: NOM-FAMILLE}\n"
      "      - {name: given_names, to: PRENOMS}\n"
      "      - {name: birth_date, to: DATE-NAISSANCE, format: \"%Y%m%d\"}\n"
      "      - {name: death_date, to: DATE-DECES, format: \"%Y%m%d\"}\n");
  connector::Connector ramq(connector::load_connector_config(ramq_config), nullptr);
  ramq.start();
  ASSERT_TRUE(ramq.wait_ready(10s));

  connector::SdkPublisher publisher(sdk_options(etat_civil_));
  connector::Connector etat_civil(connector::load_connector_config(write_config()), &publisher);
  drop("deces-20261122.dat");
  const auto reports = etat_civil.poll_drop_folders();
  ASSERT_EQ(reports.size(), 1u);
  ASSERT_EQ(reports[0].published, 2u) << reports[0].reason;

  std::vector<fs::path> rolled;
  const auto deadline = std::chrono::steady_clock::now() + 15s;
  while (rolled.empty() && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(50ms);
    if (!fs::exists(work_ / "recus")) continue;
    for (const auto& entry : fs::directory_iterator(work_ / "recus")) {
      if (entry.path().extension() == ".done") rolled.push_back(entry.path().parent_path() / entry.path().stem());
    }
  }
  ramq.stop();
  ASSERT_EQ(rolled.size(), 1u);
  auto records = [](const fs::path& file) {
    std::ifstream in(file, std::ios::binary);
    const std::string bytes(std::istreambuf_iterator<char>(in), {});
    std::vector<std::string> split;
    for (std::size_t at = 0; at + 100 <= bytes.size(); at += 100) split.push_back(bytes.substr(at, 100));
    std::sort(split.begin(), split.end());  // two citizens: delivered in either order
    return split;
  };
  EXPECT_EQ(records(rolled[0]), records(kData + "etat-civil-deces-20261122.dat"));
}

TEST_F(ConnectorPublishes, TheProgramWatchesItsFolderUntilSigterm) {
  start_broker();
  const auto config = write_config();
  fs::create_directories(work_ / "deces");
  drop("deces-20261122.dat");
  const pid_t pid = fork();
  if (pid == 0) {
    const std::string log = (work_ / "connector.log").string();
    if (std::freopen(log.c_str(), "w", stderr) == nullptr) _exit(127);
    execl(PSE_CONNECTOR_BINARY, PSE_CONNECTOR_BINARY, "--config", config.c_str(), static_cast<char*>(nullptr));
    _exit(127);
  }
  const auto summary = work_ / "deces/done/deces-20261122.dat.summary.json";
  const auto deadline = std::chrono::steady_clock::now() + 15s;
  while (!fs::exists(summary) && std::chrono::steady_clock::now() < deadline) std::this_thread::sleep_for(50ms);
  kill(pid, SIGTERM);
  int status = 0;
  for (int i = 0; i < 300 && waitpid(pid, &status, WNOHANG) == 0; ++i) std::this_thread::sleep_for(50ms);
  if (waitpid(pid, &status, WNOHANG) == 0) {
    kill(pid, SIGKILL);
    waitpid(pid, &status, 0);
  }
  ASSERT_TRUE(fs::exists(summary));
  std::ifstream in(summary);
  const auto parsed = boost::json::parse(std::string(std::istreambuf_iterator<char>(in), {})).as_object();
  EXPECT_EQ(parsed.at("published"), 2);
  EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0);
}

}  // namespace
}  // namespace pse::testing
