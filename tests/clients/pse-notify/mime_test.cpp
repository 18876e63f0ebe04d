#include "mime_message.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <sstream>

namespace pse::notify {
namespace {

using ::testing::HasSubstr;

// Decodes what encode_header_words produced, to check the round trip.
std::string decode_words(const std::string& header) {
  static const std::string alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  std::string out;
  std::size_t i = 0;
  while ((i = header.find("=?UTF-8?B?", i)) != std::string::npos) {
    const std::size_t start = i + 10, end = header.find("?=", start);
    unsigned buffer = 0;
    int bits = 0;
    for (std::size_t k = start; k < end; ++k) {
      if (header[k] == '=') break;
      buffer = (buffer << 6) | static_cast<unsigned>(alphabet.find(header[k]));
      bits += 6;
      if (bits >= 8) {
        bits -= 8;
        out += static_cast<char>((buffer >> bits) & 0xFFu);
      }
    }
    i = end + 2;
  }
  return out;
}

TEST(NotifyMime, EncodedWordsRoundTripAndStayShort) {
  const std::string subject =
      "Rappel : renouvellement de votre permis de conduire – échéance le 24 décembre / Reminder: renewal of your driver's licence";
  const std::string encoded = encode_header_words(subject, 9);
  EXPECT_EQ(decode_words(encoded), subject);
  std::istringstream lines(encoded);
  std::string line;
  int count = 0;
  while (std::getline(lines, line)) {
    ++count;
    EXPECT_LE(line.size(), 77u) << line;
    const auto word = line.find("=?UTF-8?B?");
    ASSERT_NE(word, std::string::npos);
    EXPECT_LE(line.size() - word - (line.back() == '\r' ? 1 : 0), 75u);
  }
  EXPECT_GT(count, 1);
  EXPECT_EQ(encode_header_words("Reminder", 9), "Reminder");
}

TEST(NotifyMime, EncodedWordsNeverSplitACharacter) {
  std::string text;
  for (int i = 0; i < 40; ++i) text += "é";  // 80 bytes: the 45-byte cut falls inside a character
  const std::string encoded = encode_header_words(text, 9);
  EXPECT_EQ(decode_words(encoded), text);
  std::size_t i = 0;
  while ((i = encoded.find("=?UTF-8?B?", i)) != std::string::npos) {
    const std::size_t end = encoded.find("?=", i + 10);
    std::string one = decode_words(encoded.substr(i, end + 2 - i));
    EXPECT_EQ(one.size() % 2, 0u);  // whole two-byte characters only
    i = end + 2;
  }
}

TEST(NotifyMime, QuotedPrintable) {
  EXPECT_EQ(quoted_printable("Bonjour été\n"), "Bonjour =C3=A9t=C3=A9\r\n");
  EXPECT_EQ(quoted_printable("a = b \nfin"), "a =3D b=20\r\nfin\r\n");
  EXPECT_EQ(quoted_printable(".\n"), "=2E\r\n");
  const std::string long_line = quoted_printable(std::string(200, 'x'));
  std::istringstream lines(long_line);
  std::string line;
  while (std::getline(lines, line)) EXPECT_LE(line.size(), 77u);
  EXPECT_NE(long_line.find("=\r\n"), std::string::npos);
}

TEST(NotifyMime, Base64) {
  EXPECT_EQ(base64_lines("Man"), "TWFu\r\n");
  EXPECT_EQ(base64_lines("Ma"), "TWE=\r\n");
  EXPECT_EQ(base64_lines("M"), "TQ==\r\n");
  EXPECT_EQ(base64_lines(std::string(100, 'a')).find("\r\n"), 76u);
}

TEST(NotifyMime, AWholeMessage) {
  RenderedEmail email;
  email.subject = "Rappel : échéance / Reminder: due date";
  email.text_body = "Bonjour,\n\nVotre permis expire.\n";
  email.html_body = "<p>Bonjour</p>";
  email.language = Language::fr;
  MimeEnvelope envelope{"ne-pas-repondre@notification.gouv.qc.ca", "Gouvernement du Québec", "citoyen@example.org",
                        "send-42@notification.gouv.qc.ca", std::chrono::sys_seconds(std::chrono::seconds(1795000000))};
  const std::string m = build_mime_message(envelope, email);
  EXPECT_THAT(m, HasSubstr("From: =?UTF-8?B?"));
  EXPECT_THAT(m, HasSubstr(" <ne-pas-repondre@notification.gouv.qc.ca>\r\n"));
  EXPECT_THAT(m, HasSubstr("To: <citoyen@example.org>\r\n"));
  EXPECT_THAT(m, HasSubstr("Message-ID: <send-42@notification.gouv.qc.ca>\r\n"));
  EXPECT_THAT(m, HasSubstr("Date: Wed, 18 Nov 2026 11:06:40 +0000"));
  EXPECT_THAT(m, HasSubstr("MIME-Version: 1.0\r\nContent-Type: multipart/alternative; boundary=\"=_pse_send-42\"\r\n"));
  EXPECT_THAT(m, HasSubstr("Content-Transfer-Encoding: quoted-printable\r\n\r\nBonjour,\r\n\r\nVotre permis expire.\r\n"));
  EXPECT_THAT(m, HasSubstr("Content-Transfer-Encoding: base64\r\n\r\nPHA+Qm9uam91cjwvcD4=\r\n"));
  EXPECT_THAT(m, HasSubstr("\r\n--=_pse_send-42--\r\n"));
  for (std::size_t i = 0; i < m.size(); ++i) {
    if (m[i] == '\n') {
      ASSERT_EQ(m[i - 1], '\r') << "bare LF at " << i;
    }
    ASSERT_LT(static_cast<unsigned char>(m[i]), 0x80u) << "8-bit byte at " << i;
  }
}

TEST(NotifyMime, PlausibleAddresses) {
  EXPECT_TRUE(is_plausible_email_address("a.b@example.org"));
  EXPECT_FALSE(is_plausible_email_address("a@b"));
  EXPECT_FALSE(is_plausible_email_address("a b@example.org"));
  EXPECT_FALSE(is_plausible_email_address("a@example.org>\r\nRCPT TO:<x@y.z"));
  EXPECT_FALSE(is_plausible_email_address("@example.org"));
  EXPECT_FALSE(is_plausible_email_address("a@@example.org"));
}

}  // namespace
}  // namespace pse::notify
