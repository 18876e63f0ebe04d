#include "support/test_pki.hpp"

#include <cstdio>
#include <stdexcept>
#include <sys/wait.h>

namespace pse::testing {
namespace {

const std::string kPki = PSE_SOURCE_DIR "/certs/pse-pki";

std::string quoted(const std::filesystem::path& path) { return "'" + path.string() + "'"; }

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
  run_command(kPki + " init --dir " + quoted(dir_) + " --trust-domain " + trust_domain);
  run_command(kPki + " issue-server --dir " + quoted(dir_) + " --name broker");
}

ClientIdentity TestPki::issue_org(const std::string& org, const std::string& extra) const {
  run_command(kPki + " issue-org --dir " + quoted(dir_) + " --org " + org + " " + extra);
  return {dir_ / "orgs" / (org + ".crt"), dir_ / "orgs" / (org + ".key")};
}

ClientIdentity TestPki::issue_with_uri(const std::string& name, const std::string& uri,
                                       const std::string& extensions) const {
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
  run_command(kPki + " revoke --dir " + quoted(dir_) + " --cert " + quoted(identity.cert));
}

}  // namespace pse::testing
