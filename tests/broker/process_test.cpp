// The pse-broker executable as an operator runs it: exit codes, config errors, SIGTERM.
#include "broker/audit/audit_keys.hpp"
#include "support/queue_key.hpp"
#include "support/temp_dir.hpp"
#include "support/test_pki.hpp"
#include "support/tls_client.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <csignal>
#include <fcntl.h>
#include <fstream>
#include <sstream>
#include <sys/wait.h>
#include <thread>
#include <unistd.h>

namespace pse::testing {
namespace {

using ::testing::HasSubstr;

struct Outcome {
  int exit_code = -1;
  std::string output;
};

// Runs pse-broker with `args`, stdout and stderr to a file; returns exit code and output.
Outcome run_broker(const std::vector<std::string>& args) {
  TempDir dir;
  const std::string out = (dir / "out.txt").string();
  std::string command = PSE_BROKER_BINARY;
  for (const auto& arg : args) command += " '" + arg + "'";
  const int status = std::system((command + " > " + out + " 2>&1").c_str());
  std::stringstream text;
  text << std::ifstream(out).rdbuf();
  return {WIFEXITED(status) ? WEXITSTATUS(status) : -1, text.str()};
}

// The configuration files and directories every broker.yaml names, with fresh platform keys.
std::string config_files(const TempDir& dir) {
  audit::write_new_key_files(dir / "keys");
  write_queue_key(dir / "keys");
  return "orgs: " PSE_SOURCE_DIR "/config/orgs.yaml\n"
         "classification: " PSE_SOURCE_DIR "/config/classification.yaml\n"
         "policies: " PSE_SOURCE_DIR "/config/policies.yaml\n"
         "data_dir: data\nkeys_dir: keys\n";
}

TEST(BrokerProcess, HelpExitsZero) {
  Outcome outcome = run_broker({"--help"});
  EXPECT_EQ(outcome.exit_code, 0);
  EXPECT_THAT(outcome.output, HasSubstr("usage: pse-broker --config FILE"));
}

TEST(BrokerProcess, UsageErrorsExitTwo) {
  EXPECT_EQ(run_broker({}).exit_code, 2);
  EXPECT_EQ(run_broker({"--config"}).exit_code, 2);
  Outcome unknown = run_broker({"--colour"});
  EXPECT_EQ(unknown.exit_code, 2);
  EXPECT_THAT(unknown.output, HasSubstr("unknown argument '--colour'"));
}

TEST(BrokerProcess, ConfigErrorsExitTwoNamingFileAndLine) {
  TempDir dir;
  Outcome missing = run_broker({"--config", (dir / "absent.yaml").string()});
  EXPECT_EQ(missing.exit_code, 2);
  EXPECT_THAT(missing.output, HasSubstr("absent.yaml: cannot open file"));

  const auto file = dir.write("broker.yaml", "listen:\n  port: 8443\n  adress: 0.0.0.0\n");
  Outcome bad = run_broker({"--config", file.string()});
  EXPECT_EQ(bad.exit_code, 2);
  EXPECT_THAT(bad.output, HasSubstr("broker.yaml:3: unknown key 'adress' in listen"));
}

TEST(BrokerProcess, BadTlsMaterialExitsTwo) {
  TempDir dir;
  TestPki pki(dir / "pki");
  dir.write("not-a-key.pem", "garbage");
  const auto file = dir.write(
      "broker.yaml", "tls:\n  ca: pki/ca.crt\n  crl: pki/crl.pem\n  cert: pki/servers/broker.crt\n"
                     "  key: not-a-key.pem\n" + config_files(dir));
  Outcome outcome = run_broker({"--config", file.string(), "--check"});
  EXPECT_EQ(outcome.exit_code, 2);
  EXPECT_THAT(outcome.output, HasSubstr("not-a-key.pem: cannot load private key"));
}

TEST(BrokerProcess, AdminListenerOffLoopbackWithoutMutualTlsIsRefusedAtLoad) {
  TempDir dir;
  TestPki pki(dir / "pki");
  const std::string head = "tls:\n  ca: pki/ca.crt\n  crl: pki/crl.pem\n  cert: pki/servers/broker.crt\n"
                           "  key: pki/servers/broker.key\n" + config_files(dir);
  const auto open = dir.write("open.yaml", head + "admin:\n  address: 0.0.0.0\n  port: 9090\n");
  Outcome refused = run_broker({"--config", open.string(), "--check"});
  EXPECT_EQ(refused.exit_code, 2);
  EXPECT_THAT(refused.output, HasSubstr("open.yaml:12: admin.address '0.0.0.0' is not a loopback address"));

  const auto guarded = dir.write("guarded.yaml", head + "admin:\n  address: 10.0.0.5\n  port: 9090\n  mtls: true\n");
  Outcome accepted = run_broker({"--config", guarded.string(), "--check"});
  EXPECT_EQ(accepted.exit_code, 0) << accepted.output;
}

TEST(BrokerProcess, ServesThenDrainsOnSigterm) {
  TempDir dir;
  TestPki pki(dir / "pki");
  ClientIdentity ramq = pki.issue_org("ramq");
  const auto file = dir.write(
      "broker.yaml", "tls:\n  ca: pki/ca.crt\n  crl: pki/crl.pem\n  cert: pki/servers/broker.crt\n"
                     "  key: pki/servers/broker.key\n" + config_files(dir) +
                     "listen: {port: 0}\nadmin: {port: 0}\n");
  const std::string log = (dir / "broker.log").string();

  const pid_t pid = fork();
  ASSERT_GE(pid, 0);
  if (pid == 0) {
    const int fd = open(log.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
    dup2(fd, STDERR_FILENO);
    execl(PSE_BROKER_BINARY, PSE_BROKER_BINARY, "--config", file.c_str(), static_cast<char*>(nullptr));
    _exit(127);
  }

  // The broker logs the port it bound (port 0 → ephemeral): read it from the JSON log line.
  int port = 0;
  for (int i = 0; i < 200 && port == 0; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(25));
    std::stringstream text;
    text << std::ifstream(log).rdbuf();
    const std::string content = text.str();
    const auto at = content.find(R"("listener":"mtls")");
    if (at == std::string::npos) continue;
    const auto port_at = content.find(R"("port":)", at);
    if (port_at != std::string::npos) port = std::stoi(content.substr(port_at + 7));
  }
  ASSERT_NE(port, 0) << "broker did not start";

  HttpResult result = https_request(static_cast<std::uint16_t>(port), pki.ca(), ramq, "GET", "/v1/whoami");
  EXPECT_EQ(result.status, 200) << result.error;

  ASSERT_EQ(kill(pid, SIGTERM), 0);
  int status = 0;
  bool exited = false;
  for (int i = 0; i < 200 && !exited; ++i) {
    exited = waitpid(pid, &status, WNOHANG) == pid;
    if (!exited) std::this_thread::sleep_for(std::chrono::milliseconds(25));
  }
  if (!exited) {
    kill(pid, SIGKILL);
    waitpid(pid, &status, 0);
    FAIL() << "broker did not exit within 5 s of SIGTERM";
  }
  EXPECT_TRUE(WIFEXITED(status));
  EXPECT_EQ(WEXITSTATUS(status), 0);
  std::stringstream text;
  text << std::ifstream(log).rdbuf();
  EXPECT_THAT(text.str(), HasSubstr(R"("msg":"stopped")"));
}

}  // namespace
}  // namespace pse::testing
