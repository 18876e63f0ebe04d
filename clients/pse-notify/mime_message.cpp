#include "mime_message.hpp"

#include "utf8.hpp"

#include "base/base64.hpp"

#include <array>
#include <ctime>

namespace pse::notify {
namespace {

constexpr char kHex[] = "0123456789ABCDEF";

bool is_printable_ascii(std::string_view text) {
  for (char c : text) {
    if (c < 0x20 || c > 0x7E) return false;
  }
  return true;
}

std::string rfc5322_date(std::chrono::sys_seconds when) {
  const std::time_t t = std::chrono::system_clock::to_time_t(when);
  std::tm tm{};
  gmtime_r(&t, &tm);
  std::array<char, 64> buffer{};
  const std::size_t n = std::strftime(buffer.data(), buffer.size(), "%a, %d %b %Y %H:%M:%S +0000", &tm);
  return std::string(buffer.data(), n);
}

}  // namespace

std::string base64_encode(std::string_view bytes) { return to_base64(bytes, Base64::standard); }

std::string base64_lines(std::string_view bytes) {
  const std::string encoded = base64_encode(bytes);
  std::string out;
  for (std::size_t i = 0; i < encoded.size(); i += 76) {
    out += encoded.substr(i, 76);
    out += "\r\n";
  }
  return out;
}

std::string encode_header_words(std::string_view utf8, std::size_t first_line_used) {
  if (is_printable_ascii(utf8) && first_line_used + utf8.size() <= 78) return std::string(utf8);
  // "=?UTF-8?B?" + payload + "?=" ≤ 75: payload ≤ 63 base64 characters, i.e. ≤ 45 bytes of text.
  constexpr std::size_t kMaxChunk = 45;
  std::string out;
  std::size_t i = 0;
  bool first = true;
  while (i < utf8.size()) {
    std::size_t end = std::min(i + kMaxChunk, utf8.size());
    while (end < utf8.size() && end > i && is_continuation_byte(utf8[end])) --end;
    if (!first) out += "\r\n ";
    out += "=?UTF-8?B?" + base64_encode(utf8.substr(i, end - i)) + "?=";
    first = false;
    i = end;
  }
  return out;
}

std::string quoted_printable(std::string_view text) {
  std::string out;
  std::size_t line_length = 0;
  auto emit = [&](std::string_view piece) {
    if (line_length + piece.size() > 75) {  // leave room for the soft break's '='
      out += "=\r\n";
      line_length = 0;
    }
    out += piece;
    line_length += piece.size();
  };
  for (std::size_t i = 0; i < text.size(); ++i) {
    const auto c = static_cast<unsigned char>(text[i]);
    if (c == '\r' && i + 1 < text.size() && text[i + 1] == '\n') continue;
    if (c == '\n') {
      out += "\r\n";
      line_length = 0;
      continue;
    }
    const bool at_line_end = i + 1 == text.size() || text[i + 1] == '\n' || text[i + 1] == '\r';
    const bool literal = (c >= 33 && c <= 126 && c != '=') || ((c == ' ' || c == '\t') && !at_line_end);
    // A '.' opening a line is encoded too: some relays mishandle it even after dot-stuffing.
    if (literal && !(c == '.' && line_length == 0)) {
      const char ch = static_cast<char>(c);
      emit(std::string_view(&ch, 1));
    } else {
      const std::array<char, 3> encoded{'=', kHex[c >> 4], kHex[c & 15u]};
      emit(std::string_view(encoded.data(), 3));
    }
  }
  if (!out.empty() && out.back() != '\n') out += "\r\n";
  return out;
}

bool is_plausible_email_address(std::string_view address) {
  if (address.empty() || address.size() > 254 || !is_printable_ascii(address)) return false;
  const std::size_t at = address.find('@');
  if (at == 0 || at == std::string_view::npos || at + 1 == address.size() || address.find('@', at + 1) != std::string_view::npos) {
    return false;
  }
  for (char c : address) {
    if (c == ' ' || c == '<' || c == '>' || c == '(' || c == ')' || c == ',' || c == ';' || c == '"' || c == '\\') return false;
  }
  return address.substr(at + 1).find('.') != std::string_view::npos;
}

std::string build_mime_message(const MimeEnvelope& envelope, const RenderedEmail& email) {
  const std::string boundary = "=_pse_" + envelope.message_id.substr(0, envelope.message_id.find('@'));
  std::string m;
  m += "From: " + encode_header_words(envelope.from_name, 6) + " <" + envelope.from_address + ">\r\n";
  m += "To: <" + envelope.to_address + ">\r\n";
  m += "Subject: " + encode_header_words(email.subject, 9) + "\r\n";
  m += "Date: " + rfc5322_date(envelope.date) + "\r\n";
  m += "Message-ID: <" + envelope.message_id + ">\r\n";
  m += "Content-Language: ";
  m += email.bilingual ? "fr, en" : to_string(email.language);
  m += "\r\nMIME-Version: 1.0\r\n";
  m += "Content-Type: multipart/alternative; boundary=\"" + boundary + "\"\r\n";
  m += "\r\n--" + boundary + "\r\n";
  m += "Content-Type: text/plain; charset=UTF-8\r\nContent-Transfer-Encoding: quoted-printable\r\n\r\n";
  m += quoted_printable(email.text_body);
  m += "\r\n--" + boundary + "\r\n";
  m += "Content-Type: text/html; charset=UTF-8\r\nContent-Transfer-Encoding: base64\r\n\r\n";
  m += base64_lines(email.html_body);
  m += "\r\n--" + boundary + "--\r\n";
  return m;
}

}  // namespace pse::notify
