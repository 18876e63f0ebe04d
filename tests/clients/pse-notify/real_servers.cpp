#include "real_servers.hpp"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <fstream>
#include <sstream>
#include <stdexcept>
#include <utility>

#include "support/server_port.hpp"

namespace pse::notify::testing {

namespace fs = std::filesystem;

namespace {

bool accepts_connections(std::uint16_t port) {
  const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  address.sin_port = htons(port);
  const bool ok = ::connect(fd, reinterpret_cast<sockaddr*>(&address), sizeof address) == 0;
  ::close(fd);
  return ok;
}

std::string read_file(const fs::path& file) {
  std::ifstream in(file, std::ios::binary);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

}  // namespace

ChildProcess::ChildProcess(const std::vector<std::string>& argv, const fs::path& log, bool keep_stdin) {
  int pipe_fds[2] = {-1, -1};
  if (keep_stdin && ::pipe(pipe_fds) != 0) throw std::runtime_error("pipe failed");
  pid_ = ::fork();
  if (pid_ < 0) throw std::runtime_error("fork failed");
  if (pid_ == 0) {
    ::setpgid(0, 0);
    const int out = ::open(log.c_str(), O_WRONLY | O_CREAT | O_APPEND, 0644);
    ::dup2(out, 1);
    ::dup2(out, 2);
    if (keep_stdin) {
      ::dup2(pipe_fds[0], 0);
      ::close(pipe_fds[1]);
    } else {
      const int null = ::open("/dev/null", O_RDONLY);
      ::dup2(null, 0);
    }
    std::vector<char*> args;
    for (const auto& a : argv) args.push_back(const_cast<char*>(a.c_str()));
    args.push_back(nullptr);
    ::execv(args[0], args.data());
    ::_exit(127);
  }
  if (keep_stdin) {
    ::close(pipe_fds[0]);
    stdin_ = pipe_fds[1];
  }
}

ChildProcess::~ChildProcess() { stop(); }

bool ChildProcess::exited() {
  if (pid_ <= 0) return true;
  int status = 0;
  if (::waitpid(pid_, &status, WNOHANG) != pid_) return false;
  pid_ = -1;
  return true;
}

ChildProcess::ChildProcess(ChildProcess&& other) noexcept : pid_(other.pid_), stdin_(other.stdin_) {
  other.pid_ = -1;
  other.stdin_ = -1;
}

ChildProcess& ChildProcess::operator=(ChildProcess&& other) noexcept {
  if (this != &other) {
    stop();
    pid_ = std::exchange(other.pid_, -1);
    stdin_ = std::exchange(other.stdin_, -1);
  }
  return *this;
}

void ChildProcess::stop() {
  if (pid_ > 0) {
    ::kill(pid_, SIGTERM);
    int status = 0;
    const bool ended = wait_for([&] { return ::waitpid(pid_, &status, WNOHANG) == pid_; }, std::chrono::seconds(5));
    if (!ended) {
      ::kill(pid_, SIGKILL);
      ::waitpid(pid_, &status, 0);
    }
    pid_ = -1;
  }
  if (stdin_ >= 0) {
    ::close(stdin_);
    stdin_ = -1;
  }
}

SmtpTestServer::SmtpTestServer(fs::path dir, fs::path cert, fs::path key)
    : dir_(std::move(dir)), cert_(std::move(cert)), key_(std::move(key)) {
  fs::create_directories(dir_ / "mail");
}

void SmtpTestServer::start(std::uint16_t port, bool login_only) {
  const fs::path ready = dir_ / ("ready-" + std::to_string(++starts_));
  std::vector<std::string> argv = {"/usr/bin/python3", PSE_SOURCE_DIR "/tests/clients/pse-notify/smtp_server.py",
                                   "--cert", cert_.string(), "--key", key_.string(), "--dir", (dir_ / "mail").string(),
                                   "--ready", ready.string(), "--port", std::to_string(port)};
  if (login_only) argv.push_back("--login-only");
  process_ = ChildProcess(argv, dir_ / "smtp.log");
  if (!wait_for([&] { return fs::exists(ready); })) {
    throw std::runtime_error("aiosmtpd did not start: " + read_file(dir_ / "smtp.log"));
  }
  port_ = static_cast<std::uint16_t>(std::stoi(read_file(ready)));
}

void SmtpTestServer::stop() { process_.stop(); }

std::vector<std::string> SmtpTestServer::messages() const {
  std::vector<fs::path> files;
  for (const auto& entry : fs::directory_iterator(dir_ / "mail")) {
    if (entry.path().extension() == ".eml") files.push_back(entry.path());
  }
  std::sort(files.begin(), files.end());
  std::vector<std::string> out;
  for (const auto& f : files) out.push_back(read_file(f));
  return out;
}

KannelTestServer::KannelTestServer(fs::path dir) : dir_(std::move(dir)) { fs::create_directories(dir_); }

void KannelTestServer::start() {
  // Another test may still bind one of the ports first: a few tries with fresh ports.
  for (int attempt = 1;; ++attempt) {
    try {
      start_once();
      return;
    } catch (const std::exception&) {
      stop();
      if (attempt == 3) throw;
    }
  }
}

void KannelTestServer::start_once() {
  std::vector<std::uint16_t> ports;
  while (ports.size() < 4) {
    const std::uint16_t port = pse::testing::port_for_child_server();
    if (std::find(ports.begin(), ports.end(), port) == ports.end()) ports.push_back(port);
  }
  const std::uint16_t admin = ports[0], box = ports[1], smsc = ports[2];
  sendsms_port_ = ports[3];
  std::ofstream conf(dir_ / "kannel.conf");
  conf << "group = core\nadmin-port = " << admin << "\nadmin-password = admin-s3cret\nadmin-interface = 127.0.0.1\n"
       << "smsbox-port = " << box << "\nsmsbox-interface = 127.0.0.1\nbox-allow-ip = 127.0.0.1\n"
       << "admin-allow-ip = 127.0.0.1\nlog-level = 1\nlog-file = " << (dir_ / "bearerbox.log").string()
       << "\ndlr-storage = internal\n\n"
       << "group = smsc\nsmsc = fake\nsmsc-id = fake\nport = " << smsc << "\nconnect-allow-ip = 127.0.0.1\n\n"
       << "group = smsbox\nbearerbox-host = 127.0.0.1\nbearerbox-port = " << box << "\nsendsms-port = " << sendsms_port_
       << "\nsendsms-interface = 127.0.0.1\nlog-level = 1\nlog-file = " << (dir_ / "smsbox.log").string() << "\n\n"
       << "group = sendsms-user\nusername = " << username() << "\npassword = " << password()
       << "\nmax-messages = 5\nconcatenation = true\n\n"
       << "group = sms-service\nkeyword = default\ntext = \"\"\nmax-messages = 0\n";
  conf.close();
  const std::string config = (dir_ / "kannel.conf").string();
  bearerbox_ = ChildProcess({"/usr/sbin/bearerbox", config}, dir_ / "bearerbox.out");
  // bearerbox exits at once when it cannot bind a port: no need to wait out the deadline.
  const bool up = wait_for(
      [&] { return bearerbox_.exited() || (accepts_connections(smsc) && accepts_connections(box)); },
      std::chrono::seconds(8));
  if (!up || !bearerbox_.running()) {
    throw std::runtime_error("bearerbox did not start: " + read_file(dir_ / "bearerbox.out"));
  }
  smsbox_ = ChildProcess({"/usr/sbin/smsbox", config}, dir_ / "smsbox.out");
  fakesmsc_ = ChildProcess({"/usr/lib/kannel/test/fakesmsc", "-H", "127.0.0.1", "-r", std::to_string(smsc)},
                           dir_ / "fakesmsc.log", /*keep_stdin=*/true);
  if (!wait_for([&] { return smsbox_.exited() || accepts_connections(sendsms_port_); }, std::chrono::seconds(8)) ||
      !smsbox_.running()) {
    throw std::runtime_error("smsbox did not start: " + read_file(dir_ / "smsbox.out") + read_file(dir_ / "smsbox.log"));
  }
}

void KannelTestServer::stop() {
  fakesmsc_.stop();
  smsbox_.stop();
  bearerbox_.stop();
}

std::vector<ReceivedSms> KannelTestServer::received() const {
  // fakesmsc logs each message the SMS centre receives: "Got message N: <from to type text>".
  // (Parsed by hand: GCC 12 warns falsely inside std::regex under the sanitizers.)
  std::vector<ReceivedSms> out;
  std::istringstream log(read_file(dir_ / "fakesmsc.log"));
  std::string line;
  while (std::getline(log, line)) {
    const std::size_t tag = line.find("Got message ");
    if (tag == std::string::npos) continue;
    const std::size_t open = line.find(": <", tag), close = line.rfind('>');
    if (open == std::string::npos || close == std::string::npos || close < open) continue;
    std::istringstream fields(line.substr(open + 3, close - open - 3));
    ReceivedSms sms;
    fields >> sms.from >> sms.to >> sms.type;
    std::getline(fields, sms.text);
    if (!sms.text.empty() && sms.text[0] == ' ') sms.text.erase(0, 1);
    out.push_back(sms);
  }
  return out;
}

}  // namespace pse::notify::testing
