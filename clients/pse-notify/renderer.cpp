#include "renderer.hpp"

#include "utf8.hpp"

namespace pse::notify {
namespace {

enum class Escape { plain, html };

std::string fill(const std::string& text, const Values& values, Escape escape) {
  std::string out;
  std::size_t i = 0;
  while (true) {
    const std::size_t open = text.find("((", i);
    const std::size_t close = open == std::string::npos ? std::string::npos : text.find("))", open + 2);
    const std::size_t literal_end = close == std::string::npos ? text.size() : open;
    std::string literal = text.substr(i, literal_end - i);
    out += escape == Escape::html ? html_escape(literal) : literal;
    if (close == std::string::npos) break;
    const std::string value = strip_controls(values.at(text.substr(open + 2, close - open - 2)));
    out += escape == Escape::html ? html_escape(value) : value;
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

std::optional<RenderError> check_values(const NoticeTemplate& t, const Values& values) {
  for (const auto& name : t.placeholders) {
    auto it = values.find(name);
    if (it == values.end() || it->second.empty()) return RenderError{"missing_value", name};
    if (it->second.size() > kMaxValueBytes || !decode_utf8(it->second)) return RenderError{"invalid_value", name};
  }
  return std::nullopt;
}

Expected<RenderedEmail, RenderError> render_email(const NoticeTemplate& t, Language language, const Values& values) {
  if (!t.email) return RenderError{"no_channel_text", "template " + t.id + " has no email text"};
  if (auto problem = check_values(t, values)) return *problem;
  RenderedEmail email;
  email.language = language;
  const Language other = language == Language::fr ? Language::en : Language::fr;
  email.subject = fill(t.email->subject.in(language), values, Escape::plain);
  if (t.email->bilingual_subject) email.subject += " / " + fill(t.email->subject.in(other), values, Escape::plain);
  email.subject = strip_controls(email.subject);
  const std::string& body = t.email->body.in(language);
  email.text_body = trim_trailing_newlines(fill(body, values, Escape::plain)) + "\n";
  email.html_body = to_html(trim_trailing_newlines(fill(body, values, Escape::html)), language);
  return email;
}

Expected<RenderedSms, RenderError> render_sms(const NoticeTemplate& t, Language language, const Values& values,
                                              std::size_t max_segments) {
  if (!t.sms) return RenderError{"no_channel_text", "template " + t.id + " has no sms text"};
  if (auto problem = check_values(t, values)) return *problem;
  RenderedSms sms;
  sms.text = trim_trailing_newlines(fill(t.sms->in(language), values, Escape::plain));
  sms.size = measure_sms(sms.text);
  if (sms.size.segments > max_segments) {
    return RenderError{"sms_too_long", std::to_string(sms.size.segments) + " segments, at most " +
                                           std::to_string(max_segments)};
  }
  return sms;
}

}  // namespace pse::notify
