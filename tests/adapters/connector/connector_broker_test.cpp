// pse-connector against a real broker (real mTLS, WebSocket, policy, audit): État civil's
// connector serves identity.birth from the sample EBCDIC copybook file, in-process and as the
// pse-connector program; consumers receive the mapped, minimised record.
#include "broker_fixture.hpp"

// GCC 12 -fsanitize=address: a false -Wmaybe-uninitialized inside Boost's use_future.
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
#endif

#include "adapters/connector/connector.hpp"
#include "adapters/connector/connector_config.hpp"
#include "cobol_benefits.hpp"

#include <pse/client.hpp>

#include <boost/json.hpp>
#include <fcntl.h>

#include <gmock/gmock.h>

#include <csignal>
#include <fstream>
#include <sstream>
#include <sys/wait.h>
#include <thread>
#include <unistd.h>

namespace pse::testing {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;
using namespace std::chrono_literals;

const std::string kData = PSE_SOURCE_DIR "/config/connectors/data/";

/// A child process (pse-connector), killed at the end of the test if still running.
class ChildProcess {
 public:
  ChildProcess(const std::vector<std::string>& args, const std::filesystem::path& output) {
    pid_ = fork();
    if (pid_ == 0) {
      const int fd = ::open(output.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
      dup2(fd, 1);
      dup2(fd, 2);
      std::vector<char*> argv;
      for (const auto& arg : args) argv.push_back(const_cast<char*>(arg.c_str()));
      argv.push_back(nullptr);
      execv(argv[0], argv.data());
      _exit(127);
    }
  }
  ~ChildProcess() {
    if (pid_ > 0 && !exited_) {
      kill(pid_, SIGKILL);
      waitpid(pid_, nullptr, 0);
    }
  }
  ChildProcess(const ChildProcess&) = delete;
  ChildProcess& operator=(const ChildProcess&) = delete;

  void signal(int number) const { kill(pid_, number); }
  /// The exit code, or -1 when the process is still running after `timeout` (or was killed).
  int wait(std::chrono::milliseconds timeout) {
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    while (std::chrono::steady_clock::now() < deadline) {
      int status = 0;
      if (waitpid(pid_, &status, WNOHANG) == pid_) {
        exited_ = true;
        return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
      }
      std::this_thread::sleep_for(20ms);
    }
    return -1;
  }

 private:
  pid_t pid_ = -1;
  bool exited_ = false;
};

std::string file_text(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

/// Runs pse-connector to completion (bounded): exit code and output.
std::pair<int, std::string> run_connector(const std::vector<std::string>& args, const TempDir& dir) {
  std::vector<std::string> argv{PSE_CONNECTOR_BINARY};
  argv.insert(argv.end(), args.begin(), args.end());
  ChildProcess child(argv, dir / "output.txt");
  const int code = child.wait(20s);
  return {code, file_text(dir / "output.txt")};
}

class ConnectorWithBroker : public BrokerTest {
 protected:
  /// État civil's connector configuration for the running broker (the sample copybook file).
  std::filesystem::path write_config(const std::string& extra = {}) const {
    return work_.write("etat-civil.yaml",
        "broker: {host: localhost, port: " + std::to_string(broker_->port()) + "}\n"
        "tls: {ca: " + pki_->ca().string() + ", cert: " + etat_civil_.cert.string() + ", key: " + etat_civil_.key.string() +
        ", signing_key: " + signing_key_file_.string() + "}\n"
        "classification: " PSE_SOURCE_DIR "/config/classification.yaml\n"
        "serve:\n"
        "  - category: identity.birth\n"
        "    source:\n"
        "      type: copybook\n"
        "      copybook: " + kData + "etat-civil-naissances.cpy\n"
        "      data: " + kData + "etat-civil-naissances.dat\n"
        "      code_page: cp037\n"
        "      key: NO-SUJET\n"
        "    fields:\n"
        "      - {name: surname, from: NOM-FAMILLE}\n"
        "      - {name: given_names, from: PRENOMS}\n"
        "      - {name: sex, from: SEXE}\n"
        "      - {name: birth_date, from: DATE-NAISSANCE, type: date, format: \"%Y%m%d\"}\n"
        "      - {name: birth_place, from: LIEU-NAISSANCE}\n"
        "      - {name: parents_names, from: NOMS-PARENTS}\n" + extra);
  }

  static ExchangeRequest birth(const std::string& subject) {
    ExchangeRequest request;
    request.subject = subject;
    request.provider = "etat-civil";
    request.category = "identity.birth";
    request.purpose = "health_insurance_registration";  // rule ramq-birth-registration (basis: law)
    request.fields = {"surname", "given_names", "birth_date", "birth_place", "parents_names"};
    return request;
  }

  static void expect_marie(const Result<ExchangeResponse>& response) {
    ASSERT_TRUE(response) << response.error().message;
    EXPECT_EQ(boost::json::serialize(response->record),
              R"({"surname":"Tremblay","given_names":"Marie Thérèse","birth_date":"1957-03-14","birth_place":"Chicoutimi"})");
    ASSERT_EQ(response->refused_fields.size(), 1u);  // the rule does not permit the parents' names
    EXPECT_EQ(response->refused_fields[0].name, "parents_names");
    EXPECT_EQ(response->rule_id, "ramq-birth-registration");
  }

  TempDir work_;
};

TEST_F(ConnectorWithBroker, InProcessConnectorServesTheMappedMinimisedRecordFromAnEbcdicFile) {
  start_broker();
  connector::Connector etat_civil(connector::load_connector_config(write_config()), nullptr);
  etat_civil.start();
  ASSERT_TRUE(etat_civil.wait_ready(10s));

  Client ramq(sdk_options(ramq_));
  expect_marie(ramq.exchange(birth("QC-1957-0042")));
  auto louis = ramq.exchange(birth("QC-1962-0007"));
  ASSERT_TRUE(louis) << louis.error().message;
  EXPECT_EQ(louis->record.at("birth_place"), "Québec");
  EXPECT_EQ(louis->record.at("birth_date"), "1962-11-02");

  auto absent = ramq.exchange(birth("QC-0000-0000"));
  ASSERT_FALSE(absent);
  EXPECT_EQ(absent.error().reason, Reason::record_not_found);
  etat_civil.stop();
}

// A repeating group from the legacy file to the consumer: a GnuCOBOL program writes Retraite
// Québec's benefit payments (survivors OCCURS DEPENDING ON); its connector serves them through
// the broker, signed; Revenu Québec receives each survivor's given names and relationship, never
// their birth dates (rule revenu-quebec-benefits), and proves what it received.
TEST_F(ConnectorWithBroker, ARepeatingGroupWrittenByCobolReachesTheConsumerKeptToItsSubFields) {
  ASSERT_EQ(connector::testing::write_benefits_file(work_), "");
  const ClientIdentity retraite_quebec = pki_->issue_org("retraite-quebec");
  const ClientIdentity revenu_quebec = pki_->issue_org("revenu-quebec");
  start_broker();
  const auto config = work_.write("retraite-quebec.yaml",
      "broker: {host: localhost, port: " + std::to_string(broker_->port()) + "}\n"
      "tls: {ca: " + pki_->ca().string() + ", cert: " + retraite_quebec.cert.string() + ", key: " +
      retraite_quebec.key.string() + ", signing_key: " + signing_key_file_.string() + "}\n"
      "classification: " PSE_SOURCE_DIR "/config/classification.yaml\n" + connector::testing::benefits_serve_entry());
  connector::Connector connector(connector::load_connector_config(config), nullptr);
  connector.start();
  ASSERT_TRUE(connector.wait_ready(10s));

  ClientOptions options = sdk_options(revenu_quebec);
  options.signing_keys_dir = dir_->path() / "keys" / "signing";
  ExchangeRequest request;
  request.subject = "QC-1958-0311";
  request.provider = "retraite-quebec";
  request.category = "pension.benefit_payments";
  request.purpose = "tax_assessment";
  request.fields = {"monthly_amount", "survivors"};
  auto response = Client(options).exchange(request);
  ASSERT_TRUE(response) << response.error().message;
  EXPECT_EQ(boost::json::serialize(response->record),
            R"({"monthly_amount":"812.40","survivors":[{"given_names":"LEA","relationship":"CONJOINT"},)"
            R"({"given_names":"JULES","relationship":"ENFANT"}]})");
  ASSERT_EQ(response->refused_fields.size(), 1u);
  EXPECT_EQ(response->refused_fields[0].name, "survivors.birth_date");
  ASSERT_TRUE(response->proof.has_value());
  EXPECT_TRUE(response->proof->disclosures.contains("survivors.relationship"));
  connector.stop();
}

TEST_F(ConnectorWithBroker, TheProgramServesUntilSigterm) {
  start_broker();
  ChildProcess program({PSE_CONNECTOR_BINARY, "--config", write_config().string()}, work_ / "connector.log");
  Client ramq(sdk_options(ramq_));
  // The program connects on its own; the broker answers provider_unavailable until then.
  Result<ExchangeResponse> response = make_error(Reason::provider_unavailable);
  const auto deadline = std::chrono::steady_clock::now() + 15s;
  while (std::chrono::steady_clock::now() < deadline) {
    response = ramq.exchange(birth("QC-1957-0042"));
    if (response || response.error().reason != Reason::provider_unavailable) break;
    std::this_thread::sleep_for(100ms);
  }
  expect_marie(response);
  auto absent = ramq.exchange(birth("QC-1999-9999"));
  ASSERT_FALSE(absent);
  EXPECT_EQ(absent.error().reason, Reason::record_not_found);

  program.signal(SIGTERM);
  EXPECT_EQ(program.wait(15s), 0);
  const std::string log = file_text(work_ / "connector.log");
  EXPECT_THAT(log, HasSubstr(R"("msg":"index built","category":"identity.birth")"));
  EXPECT_THAT(log, HasSubstr(R"("read":6,"indexed":6,"rejected":0)"));
  EXPECT_THAT(log, ::testing::Not(HasSubstr("QC-1957-0042"))) << "subjects never reach the log";
}

TEST_F(ConnectorWithBroker, ABodyServingACategoryItDoesNotOwnIsRefusedAndExitsOne) {
  start_broker();
  // RAMQ's certificate offering État civil's category: the broker refuses (not_category_owner).
  std::string config = file_text(write_config());
  config.replace(config.find(etat_civil_.cert.string()), etat_civil_.cert.string().size(), ramq_.cert.string());
  config.replace(config.find(etat_civil_.key.string()), etat_civil_.key.string().size(), ramq_.key.string());
  const auto file = work_.write("ramq.yaml", config);
  const auto [code, output] = run_connector({"--config", file.string()}, work_);
  EXPECT_EQ(code, 1);
  EXPECT_THAT(output, HasSubstr("not_category_owner"));
}

TEST(ConnectorProgram, HelpAndUsage) {
  TempDir dir;
  auto [help, help_text] = run_connector({"--help"}, dir);
  EXPECT_EQ(help, 0);
  EXPECT_THAT(help_text, HasSubstr("usage: pse-connector --config FILE"));
  EXPECT_EQ(run_connector({}, dir).first, 2);
  EXPECT_EQ(run_connector({"--config"}, dir).first, 2);
  auto [unknown, unknown_text] = run_connector({"--colour"}, dir);
  EXPECT_EQ(unknown, 2);
  EXPECT_THAT(unknown_text, HasSubstr("unknown argument '--colour'"));
}

TEST(ConnectorProgram, BadConfigFilesExitTwoWithFileAndLine) {
  TempDir dir;
  const std::string head = "broker: {host: localhost}\ntls: {ca: a, cert: b, key: c}\nclassification: " PSE_SOURCE_DIR
                           "/config/classification.yaml\n";
  const std::string serve = "serve:\n  - category: identity.birth\n    source:\n      type: copybook\n"
                            "      copybook: " + kData + "etat-civil-naissances.cpy\n"
                            "      data: " + kData + "etat-civil-naissances.dat\n      key: NO-SUJET\n"
                            "    fields:\n      - {name: surname, from: NOM-FAMILLE}\n";
  struct Case {
    std::string text;
    std::string expected;
  };
  const std::vector<Case> cases = {
      {head + serve + "colour: blue\n", "bad.yaml:13: unknown key 'colour'"},
      {"broker: [localhost\n", "bad.yaml:2: invalid YAML"},
      {head + serve.substr(0, serve.find("    fields")) + "    fields:\n      - {name: surname, from: NOM}\n",
       "bad.yaml:12: 'NOM' is not a field of the copybook"},
      {head + serve.substr(0, serve.find("    fields")) + "    fields:\n      - {name: nas, from: NOM-FAMILLE}\n",
       "bad.yaml:12: 'nas' is not a field of category identity.birth"},
      {head + "serve:\n  - category: identity.birth\n    source: {type: csv, data: x.csv, key: k}\n"
              "    fields: [{name: surname}]\n", "bad.yaml:6: source.schema is required"},
  };
  for (const auto& test : cases) {
    const auto file = dir.write("bad.yaml", test.text);
    const auto [code, output] = run_connector({"--config", file.string()}, dir);
    EXPECT_EQ(code, 2) << output;
    EXPECT_THAT(output, HasSubstr("configuration error: " + (dir / test.expected).string())) << test.text;
  }
  EXPECT_EQ(run_connector({"--config", (dir / "missing.yaml").string()}, dir).first, 2);
}

TEST(ConnectorProgram, CheckBuildsTheIndexesOfTheSampleConfigs) {
  TempDir dir;
  for (const char* name : {"services-quebec", "ramq"}) {
    const auto [code, output] = run_connector({"--config", PSE_SOURCE_DIR "/config/connectors/" + std::string(name) + ".yaml", "--check"}, dir);
    EXPECT_EQ(code, 0) << output;
    EXPECT_THAT(output, HasSubstr("configuration OK"));
  }
  const auto [code, output] = run_connector({"--config", PSE_SOURCE_DIR "/config/connectors/services-quebec.yaml", "--check"}, dir);
  EXPECT_THAT(output, HasSubstr("identity.address: " PSE_SOURCE_DIR "/config/connectors/data/services-quebec-adresses.csv: 4 read, 4 indexed, 0 rejected"));
}

TEST(ConnectorProgram, AServedFileRejectedAsAWholeExitsOne) {
  TempDir dir;
  const auto data = dir.write("naissances.dat", file_text(kData + "etat-civil-naissances.dat").substr(0, 250));  // truncated
  const auto file = dir.write("adapter.yaml",
      "broker: {host: localhost}\ntls: {ca: a, cert: b, key: c}\nclassification: " PSE_SOURCE_DIR "/config/classification.yaml\n"
      "serve:\n  - category: identity.birth\n    source:\n      type: copybook\n"
      "      copybook: " + kData + "etat-civil-naissances.cpy\n      data: " + data.string() + "\n      key: NO-SUJET\n"
      "    fields: [{name: surname, from: NOM-FAMILLE}]\n");
  const auto [code, output] = run_connector({"--config", file.string(), "--check"}, dir);
  EXPECT_EQ(code, 1);
  EXPECT_THAT(output, HasSubstr("truncated_record"));
  EXPECT_THAT(file_text(dir / "naissances.dat.rejects.jsonl"), HasSubstr(R"("record":2)"));
}

// A value that makes a file be rejected (here a date that does not exist) goes to the reject
// file only: the connector's log says where, never what.
TEST(ConnectorProgram, ARejectedValueIsInTheRejectFileAndNotInTheLog) {
  TempDir dir;
  std::string csv = file_text(PSE_SOURCE_DIR "/config/connectors/data/services-quebec-adresses.csv");
  const std::string good_date = "01/09/2026";
  ASSERT_NE(csv.find(good_date), std::string::npos);
  csv.replace(csv.find(good_date), good_date.size(), "31/02/2026");
  const auto data = dir.write("adresses.csv", csv);
  std::string schema = file_text(PSE_SOURCE_DIR "/config/connectors/data/services-quebec-adresses.schema.yaml");
  ASSERT_NE(schema.find("on_error: skip_record"), std::string::npos);
  schema.replace(schema.find("on_error: skip_record"), 21, "on_error: reject_file");
  const auto schema_file = dir.write("adresses.schema.yaml", schema);
  const auto file = dir.write("adapter.yaml",
      "broker: {host: localhost}\ntls: {ca: a, cert: b, key: c}\nclassification: " PSE_SOURCE_DIR "/config/classification.yaml\n"
      "serve:\n  - category: identity.address\n    source:\n      type: csv\n"
      "      schema: " + schema_file.string() + "\n"
      "      data: " + data.string() + "\n      key: no_sujet\n"
      "    fields: [{name: city, from: ville}, {name: effective_date, from: date_effet}]\n");
  const auto [code, output] = run_connector({"--config", file.string(), "--check"}, dir);
  EXPECT_EQ(code, 1) << output;
  EXPECT_THAT(output, HasSubstr("record 1"));
  EXPECT_THAT(output, HasSubstr("date_effet"));
  EXPECT_THAT(output, Not(HasSubstr("31/02/2026")));
  EXPECT_THAT(file_text(dir / "adresses.csv.rejects.jsonl"), HasSubstr("31/02/2026"));
}

}  // namespace
}  // namespace pse::testing
