// Fills a template with a notice's values, escaped for the channel the text travels on.
//
// Values come from another body's system and are never trusted: they must be valid UTF-8, at
// most kMaxValueBytes long, and lose every control character (a CR/LF in a subject would
// inject a mail header; in an SMS it would break the layout). In the HTML part of an email
// they are HTML-escaped as well.
#pragma once

#include "notice_template.hpp"
#include "sms_encoding.hpp"

#include <pse/expected.hpp>

#include <map>
#include <vector>
#include <string>

namespace pse::notify {

using Values = std::map<std::string, std::string>;

inline constexpr std::size_t kMaxValueBytes = 256;

struct RenderError {
  std::string code;    ///< missing_value, invalid_value, no_channel_text, sms_too_long
  std::string detail;  ///< names the field or the template, never a value
};

struct RenderedEmail {
  std::string subject;    ///< UTF-8, no control characters (encoded into MIME later)
  std::string text_body;  ///< plain text, LF line ends
  std::string html_body;  ///< a minimal HTML document
  Language language = Language::fr;
  bool bilingual = false;  ///< French then English (Content-Language: fr, en)
};

/// The entries of a template's ((items)) list, each filled into its `item` text.
using Items = std::vector<Values>;

struct RenderedSms {
  std::string text;
  SmsSize size;
};

/// What fills a template, in each language: the values of an access notice are labels, which
/// differ by language (a bilingual message needs both).
struct Content {
  Values values;
  Items items;
};
struct LocalizedContent {
  Content fr;
  Content en;
  const Content& in(Language language) const { return language == Language::fr ? fr : en; }
};

Expected<RenderedEmail, RenderError> render_email(const NoticeTemplate& t, Language language, const Values& values,
                                                  const Items& items = {});
Expected<RenderedEmail, RenderError> render_email(const NoticeTemplate& t, Language language,
                                                  const LocalizedContent& content);
Expected<RenderedSms, RenderError> render_sms(const NoticeTemplate& t, Language language, const Values& values,
                                              std::size_t max_segments, const Items& items = {});

/// Checks every placeholder of `t` has a usable value (and each entry of a list its item's);
/// the first problem otherwise.
std::optional<RenderError> check_values(const NoticeTemplate& t, const Values& values, const Items& items = {});

/// Control characters (C0, DEL, C1, U+2028/2029) replaced by a space.
std::string strip_controls(const std::string& utf8);
std::string html_escape(const std::string& text);

}  // namespace pse::notify
