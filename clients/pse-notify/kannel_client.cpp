#include "kannel_client.hpp"

#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http.hpp>

#include <optional>

namespace pse::notify {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = boost::beast::http;
using tcp = asio::ip::tcp;

std::string url_encode(const std::string& value) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out;
  for (char ch : value) {
    const auto c = static_cast<unsigned char>(ch);
    if ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '_' ||
        c == '.' || c == '~') {
      out += ch;
    } else {
      out += '%';
      out += kHex[c >> 4];
      out += kHex[c & 15u];
    }
  }
  return out;
}

struct KannelClient::Impl {
  SmsSettings s;
  std::string dlr_url;
};

KannelClient::KannelClient(SmsSettings settings) : impl_(std::make_unique<Impl>()) { impl_->s = std::move(settings); }
KannelClient::~KannelClient() = default;

void KannelClient::set_delivery_report_url(std::string url_template) {
  std::lock_guard lock(mutex_);
  impl_->dlr_url = std::move(url_template);
}

SendOutcome KannelClient::send(const OutgoingSms& sms) {
  std::string dlr_url;
  {
    std::lock_guard lock(mutex_);
    dlr_url = impl_->dlr_url;
  }
  const SmsSettings& s = impl_->s;
  std::string target = s.path + "?username=" + url_encode(s.username) + "&password=" + url_encode(s.password) +
                       "&from=" + url_encode(s.from) + "&to=" + url_encode(sms.to) + "&text=" + url_encode(sms.text) +
                       "&charset=UTF-8&coding=" + (sms.coding == SmsCoding::gsm7 ? "0" : "2");
  if (!dlr_url.empty()) {
    if (auto at = dlr_url.find("{send}"); at != std::string::npos) dlr_url.replace(at, 6, std::to_string(sms.send_id));
    // 1 delivered, 2 failed at the phone, 16 refused by the SMSC; 8 (taken by the SMSC) is
    // what "sent" already says.
    target += "&dlr-mask=19&dlr-url=" + url_encode(dlr_url);
  }

  asio::io_context io;
  beast::tcp_stream stream(io);
  tcp::resolver resolver(io);
  http::request<http::empty_body> request(http::verb::get, target, 11);
  request.set(http::field::host, s.host);
  request.set(http::field::user_agent, "pse-notify");
  request.set(http::field::connection, "close");
  beast::flat_buffer buffer;
  http::response_parser<http::string_body> parser;
  parser.body_limit(4096);
  std::optional<SendOutcome> outcome;
  auto fail = [&](const char* step) { return [&outcome, step](beast::error_code ec, auto&&...) {
      if (ec && !outcome) outcome = SendOutcome{Outcome::temporary_failure, std::string("kannel_") + step, ""};
      return static_cast<bool>(ec);
    };
  };

  stream.expires_after(s.timeout);
  resolver.async_resolve(s.host, std::to_string(s.port), [&](beast::error_code ec, tcp::resolver::results_type results) {
    if (fail("resolve")(ec)) return;
    stream.async_connect(results, [&](beast::error_code ec2, const tcp::endpoint&) {
      if (fail("connect")(ec2)) return;
      http::async_write(stream, request, [&](beast::error_code ec3, std::size_t) {
        if (fail("write")(ec3)) return;
        http::async_read(stream, buffer, parser, [&](beast::error_code ec4, std::size_t) {
          if (fail("read")(ec4)) return;
          const auto& response = parser.get();
          const unsigned status = response.result_int();
          const std::string& body = response.body();
          if (status == 202 || status == 200) {
            outcome = SendOutcome{Outcome::sent, "", body.substr(0, body.find(':'))};
          } else if (status >= 500) {
            outcome = SendOutcome{Outcome::temporary_failure, "kannel_" + std::to_string(status), ""};
          } else {
            outcome = SendOutcome{Outcome::permanent_failure, "kannel_" + std::to_string(status), ""};
          }
        });
      });
    });
  });
  io.run();
  return outcome.value_or(SendOutcome{Outcome::temporary_failure, "kannel_no_answer", ""});
}

}  // namespace pse::notify
