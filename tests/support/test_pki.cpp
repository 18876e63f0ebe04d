#include "support/test_pki.hpp"

#include "base/hex.hpp"
#include "base/sha256.hpp"

#include <chrono>
#include <cstdio>
#include <fcntl.h>
#include <fstream>
#include <sstream>
#include <stdexcept>
#include <sys/file.h>
#include <sys/wait.h>
#include <unistd.h>

namespace pse::testing {
namespace {

namespace fs = std::filesystem;

const std::string kPki = PSE_SOURCE_DIR "/certs/pse-pki";
// Issuing certificates took most of a broker test's start, and ctest runs each test in a
// process of its own: the state a sequence of pse-pki commands leaves is kept here, in the build
// tree, and copied by every later test that runs the same sequence.
const fs::path kCache = PSE_BINARY_DIR "/tests/pki-cache";
// Older states are made again, so that no test meets a certificate issued days ago.
constexpr auto kCacheLifetime = std::chrono::hours(6);

std::string quoted(const fs::path& path) { return "'" + path.string() + "'"; }

std::string file_text(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

// The cache directory held exclusively while a state is looked up or made.
class CacheLock {
 public:
  CacheLock() {
    fs::create_directories(kCache);
    fd_ = ::open((kCache / ".lock").c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0600);
    if (fd_ < 0 || ::flock(fd_, LOCK_EX) != 0) throw std::runtime_error("cannot lock " + kCache.string());
  }
  ~CacheLock() { ::close(fd_); }
  CacheLock(const CacheLock&) = delete;
  CacheLock& operator=(const CacheLock&) = delete;

 private:
  int fd_ = -1;
};

bool fresh(const fs::path& state) {
  std::error_code error;
  const auto written = fs::last_write_time(state, error);
  return !error && fs::file_time_type::clock::now() - written < kCacheLifetime;
}

void copy_state(const fs::path& from, const fs::path& to) {
  fs::remove_all(to);
  fs::create_directories(to);
  fs::copy(from, to, fs::copy_options::recursive);
}

}  // namespace

std::string run_command(const std::string& command) {
  std::FILE* pipe = popen((command + " 2>&1").c_str(), "r");
  if (pipe == nullptr) throw std::runtime_error("popen failed: " + command);
  std::string output;
  char buffer[512];
  while (std::size_t n = std::fread(buffer, 1, sizeof buffer, pipe)) output.append(buffer, n);
  const int status = pclose(pipe);
  if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
    throw std::runtime_error("command failed: " + command + "\n" + output);
  }
  return output;
}

TestPki::TestPki(std::filesystem::path dir, const std::string& trust_domain) : dir_(std::move(dir)) {
  // A second PKI in the same process must be another CA (a test of a foreign CA), so the
  // sequence starts with how many came before it.
  static int made_in_this_process = 0;
  history_ = to_hex(sha256(file_text(kPki) + "\n" + std::to_string(made_in_this_process++)));
  run_pki("init", "--trust-domain " + trust_domain);
  run_pki("issue-server", "--name broker");
}

void TestPki::run_pki(const std::string& command, const std::string& arguments) const {
  const std::string run = kPki + " " + command + " --dir " + quoted(dir_) + " " + arguments;
  if (history_.empty()) {
    run_command(run);
    return;
  }
  history_ = to_hex(sha256(history_ + "\n" + command + " " + arguments));
  const fs::path state = kCache / history_;
  CacheLock lock;
  if (fresh(state)) {
    copy_state(state, dir_);
    return;
  }
  run_command(run);
  fs::remove_all(state);
  copy_state(dir_, state);
}

void TestPki::stop_caching() const { history_.clear(); }

ClientIdentity TestPki::issue_org(const std::string& org, const std::string& extra) const {
  run_pki("issue-org", "--org " + org + " " + extra);
  return {dir_ / "orgs" / (org + ".crt"), dir_ / "orgs" / (org + ".key")};
}

ClientIdentity TestPki::issue_with_uri(const std::string& name, const std::string& uri,
                                       const std::string& extensions) const {
  stop_caching();
  const auto key = dir_ / (name + ".key");
  const auto csr = dir_ / (name + ".csr");
  const auto cert = dir_ / (name + ".crt");
  const auto ext = dir_ / (name + ".ext");
  run_command("printf 'subjectAltName=URI:%s\\n%s\\n' '" + uri + "' '" + extensions + "' > " + quoted(ext));
  run_command("openssl req -new -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -subj /CN=" + name +
              " -keyout " + quoted(key) + " -out " + quoted(csr));
  run_command("openssl x509 -req -in " + quoted(csr) + " -CA " + quoted(ca()) + " -CAkey " +
              quoted(dir_ / "ca.key") + " -CAcreateserial -days 30 -extfile " + quoted(ext) + " -out " +
              quoted(cert));
  return {cert, key};
}

void TestPki::revoke(const ClientIdentity& identity) const {
  stop_caching();
  run_command(kPki + " revoke --dir " + quoted(dir_) + " --cert " + quoted(identity.cert));
}

void TestPki::publish_crl(int days) const {
  stop_caching();
  run_command(kPki + " crl --dir " + quoted(dir_) + " --days " + std::to_string(days));
}

}  // namespace pse::testing
