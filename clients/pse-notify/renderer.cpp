#include "renderer.hpp"

#include "utf8.hpp"

namespace pse::notify {
namespace {

enum class Escape { plain, html };

/// Text already escaped for its channel, put in as it is (a rendered list).
using Raw = std::map<std::string, std::string>;

std::string fill(const std::string& text, const Values& values, Escape escape, const Raw& raw = {}) {
  std::string out;
  std::size_t i = 0;
  while (true) {
    const std::size_t open = text.find("((", i);
    const std::size_t close = open == std::string::npos ? std::string::npos : text.find("))", open + 2);
    const std::size_t literal_end = close == std::string::npos ? text.size() : open;
    std::string literal = text.substr(i, literal_end - i);
    out += escape == Escape::html ? html_escape(literal) : literal;
    if (close == std::string::npos) break;
    const std::string name = text.substr(open + 2, close - open - 2);
    if (auto pre = raw.find(name); pre != raw.end()) {
      out += pre->second;
    } else {
      const std::string value = strip_controls(values.at(name));
      out += escape == Escape::html ? html_escape(value) : value;
    }
    i = close + 2;
  }
  return out;
}

std::string trim_trailing_newlines(std::string text) {
  while (!text.empty() && (text.back() == '\n' || text.back() == ' ')) text.pop_back();
  return text;
}

// Paragraphs separated by blank lines, single newlines as <br>.
std::string to_html(const std::string& escaped_text, Language language) {
  std::string html = "<!DOCTYPE html>\n<html lang=\"";
  html += to_string(language);
  html += "\"><head><meta charset=\"utf-8\"></head><body>\n<p>";
  for (std::size_t i = 0; i < escaped_text.size(); ++i) {
    if (escaped_text.compare(i, 2, "\n\n") == 0) {
      html += "</p>\n<p>";
      while (i + 1 < escaped_text.size() && escaped_text[i + 1] == '\n') ++i;
    } else if (escaped_text[i] == '\n') {
      html += "<br>\n";
    } else {
      html += escaped_text[i];
    }
  }
  html += "</p>\n</body></html>\n";
  return html;
}

// ((items)): one line per entry, each escaped on its own, so that nothing a value holds can
// start a line or a tag of its own.
Raw list_of(const NoticeTemplate& t, Language language, const Items& items, Escape escape) {
  if (!t.item) return {};
  std::string lines;
  for (const auto& item : items) {
    if (!lines.empty()) lines += '\n';
    lines += fill(t.item->in(language), item, escape);
  }
  return {{kItemsPlaceholder, lines}};
}

std::optional<RenderError> check_one(const std::vector<std::string>& names, const Values& values, bool skip_items) {
  for (const auto& name : names) {
    if (skip_items && name == kItemsPlaceholder) continue;
    auto it = values.find(name);
    if (it == values.end() || it->second.empty()) return RenderError{"missing_value", name};
    if (it->second.size() > kMaxValueBytes || !decode_utf8(it->second)) return RenderError{"invalid_value", name};
  }
  return std::nullopt;
}

}  // namespace

std::string strip_controls(const std::string& utf8) {
  auto decoded = decode_utf8(utf8);
  if (!decoded) return {};
  std::string out;
  out.reserve(utf8.size());
  for (char32_t c : *decoded) {
    const bool control = c < 0x20 || c == 0x7F || (c >= 0x80 && c <= 0x9F) || c == 0x2028 || c == 0x2029;
    append_utf8(out, control ? U' ' : c);
  }
  return out;
}

std::string html_escape(const std::string& text) {
  std::string out;
  out.reserve(text.size());
  for (char c : text) {
    switch (c) {
      case '&': out += "&amp;"; break;
      case '<': out += "&lt;"; break;
      case '>': out += "&gt;"; break;
      case '"': out += "&quot;"; break;
      case '\'': out += "&#39;"; break;
      default: out += c;
    }
  }
  return out;
}

std::optional<RenderError> check_values(const NoticeTemplate& t, const Values& values, const Items& items) {
  if (auto problem = check_one(t.placeholders, values, t.item.has_value())) return problem;
  for (const auto& item : items) {
    if (auto problem = check_one(t.item_placeholders, item, false)) return problem;
  }
  return std::nullopt;
}

Expected<RenderedEmail, RenderError> render_email(const NoticeTemplate& t, Language language, const Values& values,
                                                  const Items& items) {
  return render_email(t, language, LocalizedContent{{values, items}, {values, items}});
}

Expected<RenderedEmail, RenderError> render_email(const NoticeTemplate& t, Language language,
                                                  const LocalizedContent& content) {
  if (!t.email) return RenderError{"no_channel_text", "template " + t.id + " has no email text"};
  for (const Content* c : {&content.fr, &content.en}) {
    if (auto problem = check_values(t, c->values, c->items)) return *problem;
  }
  RenderedEmail email;
  // A bilingual message is French first, whatever the citizen's language.
  email.bilingual = t.email->bilingual_body;
  email.language = email.bilingual ? Language::fr : language;
  const Language first = email.language;
  const Language other = first == Language::fr ? Language::en : Language::fr;
  email.subject = fill(t.email->subject.in(first), content.in(first).values, Escape::plain);
  if (t.email->bilingual_subject) {
    email.subject += " / " + fill(t.email->subject.in(other), content.in(other).values, Escape::plain);
  }
  email.subject = strip_controls(email.subject);
  auto body_in = [&](Language language, Escape escape) {
    const Content& c = content.in(language);
    return trim_trailing_newlines(fill(t.email->body.in(language), c.values, escape, list_of(t, language, c.items, escape)));
  };
  auto body = [&](Escape escape) {
    std::string text = body_in(first, escape);
    if (email.bilingual) text += "\n\n* * *\n\n" + body_in(other, escape);
    return text;
  };
  email.text_body = body(Escape::plain) + "\n";
  email.html_body = to_html(body(Escape::html), first);
  return email;
}

Expected<RenderedSms, RenderError> render_sms(const NoticeTemplate& t, Language language, const Values& values,
                                              std::size_t max_segments, const Items& items) {
  if (!t.sms) return RenderError{"no_channel_text", "template " + t.id + " has no sms text"};
  if (auto problem = check_values(t, values, items)) return *problem;
  RenderedSms sms;
  sms.text = trim_trailing_newlines(fill(t.sms->in(language), values, Escape::plain,
                                         list_of(t, language, items, Escape::plain)));
  sms.size = measure_sms(sms.text);
  if (sms.size.segments > max_segments) {
    return RenderError{"sms_too_long", std::to_string(sms.size.segments) + " segments, at most " +
                                           std::to_string(max_segments)};
  }
  return sms;
}

}  // namespace pse::notify
