// An email as MIME (RFC 5322, 2045–2047): UTF-8 everywhere, the subject and the sender's name
// as RFC 2047 encoded words, a multipart/alternative body with a quoted-printable text/plain
// part and a base64 text/html part, CRLF line ends, no line over 78 characters.
#pragma once

#include "renderer.hpp"

#include <chrono>
#include <string>
#include <string_view>

namespace pse::notify {

struct MimeEnvelope {
  std::string from_address;  ///< e.g. "ne-pas-repondre@notification.gouv.qc.ca"
  std::string from_name;     ///< e.g. "Gouvernement du Québec"
  std::string to_address;
  std::string message_id;    ///< without the angle brackets, unique per send
  std::chrono::sys_seconds date{};
};

/// The whole message, ready for SMTP DATA (before dot-stuffing).
std::string build_mime_message(const MimeEnvelope& envelope, const RenderedEmail& email);

/// RFC 2047 "B" encoded words for a header value, folded: each word ≤ 75 characters and
/// never splitting a UTF-8 sequence. Pure printable ASCII is returned as it is.
std::string encode_header_words(std::string_view utf8, std::size_t first_line_used);

/// RFC 2045 §6.7 quoted-printable, lines ≤ 76, CRLF line ends (input LF or CRLF).
std::string quoted_printable(std::string_view text);

/// RFC 4648 base64 on one line.
std::string base64_encode(std::string_view bytes);

/// RFC 4648 base64 in lines of 76 characters, CRLF line ends.
std::string base64_lines(std::string_view bytes);

/// An address we are willing to put on an envelope: printable ASCII, one '@', no spaces or
/// angle brackets, at most 254 characters.
bool is_plausible_email_address(std::string_view address);

}  // namespace pse::notify
