// The pse-broker executable as an operator runs it: exit codes, config errors, SIGTERM.
#include "audit/audit_keys.hpp"
#include "support/queue_key.hpp"
#include "support/temp_dir.hpp"
#include "support/test_pki.hpp"
#include "support/tls_client.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <csignal>
#include <functional>
#include <iterator>
#include <sys/resource.h>
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
         "store: {backend: sqlite, data_dir: data}\nkeys_dir: keys\n";
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

// A pse-broker process of its own, its log to a file; `before_exec` runs in the child.
struct BrokerProcess {
  pid_t pid = -1;
  std::string log;
  int port = 0;

  std::string log_text() const {
    std::stringstream text;
    text << std::ifstream(log).rdbuf();
    return text.str();
  }
};

BrokerProcess start_broker_process(const std::filesystem::path& config, const std::filesystem::path& log,
                                   const std::function<void()>& before_exec = {}) {
  BrokerProcess broker;
  broker.log = log.string();
  broker.pid = fork();
  if (broker.pid == 0) {
    const int fd = open(broker.log.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
    dup2(fd, STDERR_FILENO);
    if (before_exec) before_exec();
    execl(PSE_BROKER_BINARY, PSE_BROKER_BINARY, "--config", config.c_str(), static_cast<char*>(nullptr));
    _exit(127);
  }
  // The broker logs the port it bound (port 0 → ephemeral): read it from the JSON log line.
  for (int i = 0; i < 200 && broker.port == 0 && broker.pid > 0; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(25));
    const std::string content = broker.log_text();
    const auto at = content.find(R"("listener":"mtls")");
    if (at == std::string::npos) continue;
    const auto port_at = content.find(R"("port":)", at);
    if (port_at != std::string::npos) broker.port = std::stoi(content.substr(port_at + 7));
  }
  return broker;
}

// CPU seconds (user + system) the process has used so far, from /proc/<pid>/stat.
double cpu_seconds(pid_t pid) {
  std::ifstream stat("/proc/" + std::to_string(pid) + "/stat");
  std::string text((std::istreambuf_iterator<char>(stat)), std::istreambuf_iterator<char>());
  std::istringstream fields(text.substr(text.rfind(')') + 2));
  std::string field;
  double ticks = 0;
  for (int i = 3; i <= 15 && fields >> field; ++i) {
    if (i == 14 || i == 15) ticks += std::stod(field);  // utime, stime
  }
  return ticks / static_cast<double>(sysconf(_SC_CLK_TCK));
}

std::string tls_config(const TempDir& dir) {
  return "tls:\n  ca: pki/ca.crt\n  crl: pki/crl.pem\n  cert: pki/servers/broker.crt\n"
         "  key: pki/servers/broker.key\n" + config_files(dir) + "listen: {port: 0}\nadmin: {port: 0}\n";
}

TEST(BrokerProcess, ServesThenDrainsOnSigterm) {
  TempDir dir;
  TestPki pki(dir / "pki");
  ClientIdentity ramq = pki.issue_org("ramq");
  const auto file = dir.write("broker.yaml", tls_config(dir));
  BrokerProcess broker = start_broker_process(file, dir / "broker.log");
  ASSERT_NE(broker.port, 0) << "broker did not start";

  HttpResult result = https_request(static_cast<std::uint16_t>(broker.port), pki.ca(), ramq, "GET", "/v1/whoami");
  EXPECT_EQ(result.status, 200) << result.error;

  ASSERT_EQ(kill(broker.pid, SIGTERM), 0);
  int status = 0;
  bool exited = false;
  for (int i = 0; i < 200 && !exited; ++i) {
    exited = waitpid(broker.pid, &status, WNOHANG) == broker.pid;
    if (!exited) std::this_thread::sleep_for(std::chrono::milliseconds(25));
  }
  if (!exited) {
    kill(broker.pid, SIGKILL);
    waitpid(broker.pid, &status, 0);
    FAIL() << "broker did not exit within 5 s of SIGTERM";
  }
  EXPECT_TRUE(WIFEXITED(status));
  EXPECT_EQ(WEXITSTATUS(status), 0);
  EXPECT_THAT(broker.log_text(), HasSubstr(R"("msg":"stopped")"));
}

// GCC says __SANITIZE_ADDRESS__, clang __has_feature(address_sanitizer).
#if defined(__SANITIZE_ADDRESS__)
#define PSE_UNDER_ASAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define PSE_UNDER_ASAN 1
#endif
#endif
#ifndef PSE_UNDER_ASAN
#define PSE_UNDER_ASAN 0
#endif

// Out of file descriptors, the listener waits before accepting again instead of failing in a
// loop that takes a core, and serves again once descriptors are freed.
TEST(BrokerProcess, OutOfFileDescriptorsBacksOffInsteadOfSpinning) {
#if PSE_UNDER_ASAN
  // With no descriptor left, UBSan's vptr check on the accept error's category cannot inspect
  // memory ("memory cannot be printed") and reports a false "invalid vptr" that ends the broker.
  GTEST_SKIP() << "the sanitizers' runtime needs descriptors of its own; run in the dev build";
#endif
  TempDir dir;
  TestPki pki(dir / "pki");
  ClientIdentity ramq = pki.issue_org("ramq");
  // Budgets above the descriptor limit, so that the limit is what the flood meets.
  const auto file = dir.write("broker.yaml", tls_config(dir) +
                                                 "limits: {max_handshakes: 5000, max_handshakes_per_address: 5000,"
                                                 " handshake_timeout_ms: 60000}\n");
  BrokerProcess broker = start_broker_process(file, dir / "broker.log", [] {
    const rlimit few{128, 128};
    setrlimit(RLIMIT_NOFILE, &few);
  });
  ASSERT_NE(broker.port, 0) << "broker did not start: " << broker.log_text();
  {
    IdleConnections flood(static_cast<std::uint16_t>(broker.port), "127.0.0.2", 300);
    std::this_thread::sleep_for(std::chrono::milliseconds(500));
    const double before = cpu_seconds(broker.pid);
    std::this_thread::sleep_for(std::chrono::seconds(2));
    const double used = cpu_seconds(broker.pid) - before;
    // A spin burns one core: about 2 s in 2 s. Backing off costs almost nothing.
    EXPECT_LT(used, 0.5) << "the broker used " << used << " s of CPU in 2 s at EMFILE";
    EXPECT_THAT(broker.log_text(), HasSubstr("accept failed, backing off"));
  }
  // The flood has gone: its descriptors come back and a body is served again.
  HttpResult result;
  for (int i = 0; i < 100 && result.status != 200; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
    result = https_request(static_cast<std::uint16_t>(broker.port), pki.ca(), ramq, "GET", "/v1/whoami");
  }
  int status = 0;
  const bool exited = waitpid(broker.pid, &status, WNOHANG) == broker.pid;
  const std::string log = broker.log_text();
  EXPECT_EQ(result.status, 200) << result.error << (exited ? "; the broker has exited, status " : "; still running")
                                << (exited ? std::to_string(status) : "") << "; its log ends with:\n"
                                << log.substr(log.size() > 4000 ? log.size() - 4000 : 0);
  if (!exited) {
    kill(broker.pid, SIGKILL);
    waitpid(broker.pid, &status, 0);
  }
}

}  // namespace
}  // namespace pse::testing
