#include "smtp_client.hpp"

#include "mime_message.hpp"

#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/read_until.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/asio/write.hpp>

#include <openssl/ssl.h>

#include <optional>
#include <stdexcept>

namespace pse::notify {

namespace asio = boost::asio;
namespace ssl = boost::asio::ssl;
using tcp = asio::ip::tcp;
using boost::system::error_code;

std::string dot_stuff(const std::string& message) {
  std::string out;
  out.reserve(message.size() + message.size() / 50 + 8);
  bool line_start = true;
  for (std::size_t i = 0; i < message.size(); ++i) {
    const char c = message[i];
    if (line_start && c == '.') out += '.';
    if (c == '\n' && (i == 0 || message[i - 1] != '\r')) out += '\r';
    out += c;
    line_start = c == '\n';
  }
  if (!out.empty() && !line_start) out += "\r\n";
  out += ".\r\n";
  return out;
}

namespace {

struct Reply {
  int code = 0;
  std::vector<std::string> lines;  ///< text after the code, one per line
};

// A failed step: temporary unless the server answered 5xx.
struct Failure {
  Outcome outcome;
  std::string reason;
};

}  // namespace

struct SmtpClient::Impl {
  explicit Impl(SmtpSettings settings) : s(std::move(settings)), tls(ssl::context::tls_client) {
    tls.set_options(ssl::context::default_workarounds | ssl::context::no_sslv2 | ssl::context::no_sslv3 |
                    ssl::context::no_tlsv1 | ssl::context::no_tlsv1_1);
    tls.set_verify_mode(ssl::verify_peer);
    error_code ec;
    tls.load_verify_file(s.ca_file.string(), ec);
    if (ec) throw std::runtime_error("smtp: cannot load CA file " + s.ca_file.string() + ": " + ec.message());
    if (s.server_name.empty()) s.server_name = s.host;
  }

  SmtpSettings s;
  asio::io_context io;
  ssl::context tls;
  std::unique_ptr<ssl::stream<tcp::socket>> stream;
  bool connected = false;
  bool secure = false;
  std::string buffer;
  std::vector<std::string> extensions;

  // Runs one asynchronous operation to completion or to the timeout (then the socket is
  // closed and the operation cancelled).
  template <typename Start>
  error_code run(Start start) {
    std::optional<error_code> result;
    io.restart();
    start([&result](error_code ec, auto&&...) { result = ec; });
    io.run_for(s.timeout);
    if (!result) {
      error_code ignored;
      stream->next_layer().close(ignored);
      io.restart();
      io.run();
      return asio::error::timed_out;
    }
    return *result;
  }

  error_code write(const std::string& data) {
    return run([&](auto handler) {
      if (secure) {
        asio::async_write(*stream, asio::buffer(data), std::move(handler));
      } else {
        asio::async_write(stream->next_layer(), asio::buffer(data), std::move(handler));
      }
    });
  }

  std::optional<Reply> read_reply(error_code& ec) {
    Reply reply;
    for (int lines = 0; lines < 100; ++lines) {
      std::size_t length = 0;
      ec = run([&](auto handler) {
        auto done = [&length, handler = std::move(handler)](error_code e, std::size_t n) mutable {
          length = n;
          handler(e);
        };
        auto target = asio::dynamic_buffer(buffer, 4096);
        if (secure) {
          asio::async_read_until(*stream, target, "\r\n", std::move(done));
        } else {
          asio::async_read_until(stream->next_layer(), target, "\r\n", std::move(done));
        }
      });
      if (ec) return std::nullopt;
      const std::string line = buffer.substr(0, length - 2);
      buffer.erase(0, length);
      if (line.size() < 3 || line[0] < '2' || line[0] > '5' || line[1] < '0' || line[1] > '9' || line[2] < '0' ||
          line[2] > '9' || (line.size() > 3 && line[3] != ' ' && line[3] != '-')) {
        ec = asio::error::invalid_argument;
        return std::nullopt;
      }
      reply.code = (line[0] - '0') * 100 + (line[1] - '0') * 10 + (line[2] - '0');
      reply.lines.push_back(line.size() > 4 ? line.substr(4) : std::string());
      if (line.size() == 3 || line[3] == ' ') return reply;
    }
    ec = asio::error::message_size;
    return std::nullopt;
  }

  void close() {
    if (stream) {
      error_code ignored;
      stream->next_layer().close(ignored);
    }
    connected = false;
    secure = false;
    buffer.clear();
  }

  // A command and its reply; a failure when the reply's class is not `expect_class`.
  std::optional<Failure> command(const std::string& line, int expect_class, const std::string& step,
                                 Reply* out = nullptr) {
    if (!line.empty()) {
      if (auto ec = write(line + "\r\n")) return Failure{Outcome::temporary_failure, "smtp_" + step + "_network"};
    }
    error_code ec;
    auto reply = read_reply(ec);
    if (!reply) {
      return Failure{Outcome::temporary_failure,
                     "smtp_" + step + (ec == asio::error::timed_out ? "_timeout" : "_network")};
    }
    if (out) *out = *reply;
    if (reply->code / 100 == expect_class) return std::nullopt;
    const Outcome outcome = reply->code / 100 == 5 ? Outcome::permanent_failure : Outcome::temporary_failure;
    return Failure{outcome, "smtp_" + step + "_" + std::to_string(reply->code)};
  }

  bool has_extension(const std::string& name, std::string* parameters = nullptr) const {
    for (const auto& e : extensions) {
      std::string upper;
      for (char c : e) upper += static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
      if (upper == name || upper.rfind(name + " ", 0) == 0) {
        if (parameters) *parameters = upper.size() > name.size() ? upper.substr(name.size() + 1) : std::string();
        return true;
      }
    }
    return false;
  }

  std::optional<Failure> ehlo() {
    Reply reply;
    if (auto f = command("EHLO " + s.helo_name, 2, "ehlo", &reply)) return f;
    extensions.assign(reply.lines.begin() + 1, reply.lines.end());
    return std::nullopt;
  }

  std::optional<Failure> connect() {
    close();
    stream = std::make_unique<ssl::stream<tcp::socket>>(io, tls);
    tcp::resolver resolver(io);
    tcp::resolver::results_type endpoints;
    auto ec = run([&](auto handler) {
      resolver.async_resolve(s.host, std::to_string(s.port),
                             [&endpoints, handler = std::move(handler)](error_code e, tcp::resolver::results_type r) mutable {
                               endpoints = std::move(r);
                               handler(e);
                             });
    });
    if (ec) return Failure{Outcome::temporary_failure, "smtp_resolve"};
    ec = run([&](auto handler) { asio::async_connect(stream->next_layer(), endpoints, std::move(handler)); });
    if (ec) return Failure{Outcome::temporary_failure, "smtp_connect"};
    if (auto f = command("", 2, "greeting")) return f;
    if (auto f = ehlo()) return f;
    // Never in clear: no STARTTLS, no message.
    if (!has_extension("STARTTLS")) return Failure{Outcome::temporary_failure, "smtp_starttls_unavailable"};
    if (auto f = command("STARTTLS", 2, "starttls")) return f;
    // SSL_set_tlsext_host_name is a macro with a C cast: its expansion.
    if (SSL_ctrl(stream->native_handle(), SSL_CTRL_SET_TLSEXT_HOSTNAME, TLSEXT_NAMETYPE_host_name,
                 const_cast<char*>(s.server_name.c_str())) != 1) {
      return Failure{Outcome::temporary_failure, "smtp_tls_setup"};
    }
    stream->set_verify_callback(ssl::host_name_verification(s.server_name));
    buffer.clear();  // nothing may be pipelined across the switch to TLS
    ec = run([&](auto handler) { stream->async_handshake(ssl::stream_base::client, std::move(handler)); });
    if (ec) return Failure{Outcome::temporary_failure, "smtp_tls_handshake"};
    secure = true;
    if (auto f = ehlo()) return f;
    if (!s.username.empty()) {
      // A refused login is our configuration, not the message: temporary, so that messages
      // wait for the operator's fix instead of failing for good.
      if (auto f = authenticate()) {
        f->outcome = Outcome::temporary_failure;
        return f;
      }
    }
    connected = true;
    return std::nullopt;
  }

  std::optional<Failure> authenticate() {
    std::string mechanisms;
    if (!has_extension("AUTH", &mechanisms)) return Failure{Outcome::temporary_failure, "smtp_auth_unavailable"};
    if ((" " + mechanisms + " ").find(" PLAIN ") != std::string::npos) {
      const std::string token = std::string(1, '\0') + s.username + std::string(1, '\0') + s.password;
      if (auto f = command("AUTH PLAIN " + base64_encode(token), 2, "auth")) return f;
    } else if ((" " + mechanisms + " ").find(" LOGIN ") != std::string::npos) {
      if (auto f = command("AUTH LOGIN", 3, "auth")) return f;
      if (auto f = command(base64_encode(s.username), 3, "auth")) return f;
      if (auto f = command(base64_encode(s.password), 2, "auth")) return f;
    } else {
      return Failure{Outcome::temporary_failure, "smtp_auth_no_common_mechanism"};
    }
    return std::nullopt;
  }

  // One transaction on an open session.
  std::optional<Failure> transaction(const OutgoingEmail& email) {
    if (auto f = command("MAIL FROM:<" + email.from + ">", 2, "mail")) return f;
    if (auto f = command("RCPT TO:<" + email.to + ">", 2, "rcpt")) return f;
    if (auto f = command("DATA", 3, "data")) return f;
    if (write(dot_stuff(email.data))) return Failure{Outcome::temporary_failure, "smtp_data_network"};
    return command("", 2, "data_end");
  }

  void quit() {
    if (!connected) return;
    const auto saved = s.timeout;
    s.timeout = std::chrono::milliseconds(500);
    if (!write("QUIT\r\n")) {
      error_code ec;
      read_reply(ec);
    }
    s.timeout = saved;
    close();
  }
};

SmtpClient::SmtpClient(SmtpSettings settings) : impl_(std::make_unique<Impl>(std::move(settings))) {}

SmtpClient::~SmtpClient() { impl_->quit(); }

SendOutcome SmtpClient::send(const OutgoingEmail& email) {
  if (email.data.size() > kMaxMessageBytes) return {Outcome::permanent_failure, "message_too_large", ""};
  if (!is_plausible_email_address(email.to) || !is_plausible_email_address(email.from)) {
    return {Outcome::permanent_failure, "invalid_address", ""};
  }
  std::lock_guard lock(mutex_);
  Impl& impl = *impl_;
  // A kept session may have been closed by the server meanwhile: one fresh try then.
  for (int attempt = 0; attempt < 2; ++attempt) {
    const bool reused = impl.connected;
    if (!impl.connected) {
      if (auto f = impl.connect()) {
        impl.close();
        return {f->outcome, f->reason, ""};
      }
    }
    auto failure = impl.transaction(email);
    if (!failure) return {Outcome::sent, "", ""};
    const bool network = failure->reason.ends_with("_network") || failure->reason.ends_with("_timeout");
    if (network) {
      impl.close();
      if (reused && failure->reason.rfind("smtp_mail_", 0) == 0) continue;
    } else if (failure->outcome == Outcome::permanent_failure || failure->reason.rfind("smtp_data_end", 0) != 0) {
      // Leave the session clean for the next message.
      if (impl.command("RSET", 2, "rset")) impl.close();
    }
    return {failure->outcome, failure->reason, ""};
  }
  return {Outcome::temporary_failure, "smtp_session_lost", ""};
}

}  // namespace pse::notify
