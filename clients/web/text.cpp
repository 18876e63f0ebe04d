#include "text.hpp"

namespace pse::web {

char32_t next_code_point(std::string_view text, std::size_t& pos) noexcept {
  const auto lead = static_cast<unsigned char>(text[pos]);
  if (lead < 0x80) {
    ++pos;
    return lead;
  }
  std::size_t length = 0;
  char32_t value = 0;
  if ((lead & 0xE0U) == 0xC0U) {
    length = 2;
    value = lead & 0x1FU;
  } else if ((lead & 0xF0U) == 0xE0U) {
    length = 3;
    value = lead & 0x0FU;
  } else if ((lead & 0xF8U) == 0xF0U) {
    length = 4;
    value = lead & 0x07U;
  } else {
    ++pos;
    return U'\uFFFD';
  }
  if (pos + length > text.size()) {
    ++pos;
    return U'\uFFFD';
  }
  for (std::size_t i = 1; i < length; ++i) {
    const auto byte = static_cast<unsigned char>(text[pos + i]);
    if ((byte & 0xC0U) != 0x80U) {
      ++pos;
      return U'\uFFFD';
    }
    value = (value << 6U) | (byte & 0x3FU);
  }
  // Overlong forms, surrogates and values past U+10FFFF are invalid.
  const bool overlong = (length == 2 && value < 0x80) || (length == 3 && value < 0x800) ||
                        (length == 4 && value < 0x10000);
  if (overlong || (value >= 0xD800 && value <= 0xDFFF) || value > 0x10FFFF) {
    ++pos;
    return U'\uFFFD';
  }
  pos += length;
  return value;
}

void append_utf8(std::string& out, char32_t cp) {
  if (cp < 0x80) {
    out += static_cast<char>(cp);
  } else if (cp < 0x800) {
    out += static_cast<char>(0xC0U | (cp >> 6U));
    out += static_cast<char>(0x80U | (cp & 0x3FU));
  } else if (cp < 0x10000) {
    out += static_cast<char>(0xE0U | (cp >> 12U));
    out += static_cast<char>(0x80U | ((cp >> 6U) & 0x3FU));
    out += static_cast<char>(0x80U | (cp & 0x3FU));
  } else {
    out += static_cast<char>(0xF0U | (cp >> 18U));
    out += static_cast<char>(0x80U | ((cp >> 12U) & 0x3FU));
    out += static_cast<char>(0x80U | ((cp >> 6U) & 0x3FU));
    out += static_cast<char>(0x80U | (cp & 0x3FU));
  }
}

bool is_clean_utf8(std::string_view text) noexcept {
  std::size_t pos = 0;
  while (pos < text.size()) {
    const std::size_t before = pos;
    const char32_t cp = next_code_point(text, pos);
    if (cp == U'\uFFFD' && text.substr(before, 3) != "\xEF\xBF\xBD") return false;
    if (cp < 0x20 && cp != U'\t' && cp != U'\n' && cp != U'\r') return false;
    if (cp == 0x7F) return false;
  }
  return true;
}

std::size_t code_point_count(std::string_view text) noexcept {
  std::size_t count = 0;
  for (std::size_t pos = 0; pos < text.size(); ++count) next_code_point(text, pos);
  return count;
}

std::string fold_letter(char32_t cp) {
  if (cp < 0x80) {
    const char c = static_cast<char>(cp);
    return std::string(1, (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c);
  }
  // Latin-1 Supplement and the Latin Extended-A letters used in French and English text.
  switch (cp) {
    case U'À': case U'Á': case U'Â': case U'Ã': case U'Ä': case U'Å':
    case U'à': case U'á': case U'â': case U'ã': case U'ä': case U'å': return "a";
    case U'Æ': case U'æ': return "ae";
    case U'Ç': case U'ç': return "c";
    case U'È': case U'É': case U'Ê': case U'Ë': case U'è': case U'é': case U'ê': case U'ë': return "e";
    case U'Ì': case U'Í': case U'Î': case U'Ï': case U'ì': case U'í': case U'î': case U'ï': return "i";
    case U'Ñ': case U'ñ': return "n";
    case U'Ò': case U'Ó': case U'Ô': case U'Õ': case U'Ö': case U'Ø':
    case U'ò': case U'ó': case U'ô': case U'õ': case U'ö': case U'ø': return "o";
    case U'Ù': case U'Ú': case U'Û': case U'Ü': case U'ù': case U'ú': case U'û': case U'ü': return "u";
    case U'Ý': case U'ý': case U'ÿ': case U'Ÿ': return "y";
    case U'Œ': case U'œ': return "oe";
    default: break;
  }
  std::string out;
  append_utf8(out, cp);
  return out;
}

bool is_word_code_point(char32_t cp) noexcept {
  if ((cp >= U'a' && cp <= U'z') || (cp >= U'A' && cp <= U'Z') || (cp >= U'0' && cp <= U'9')) return true;
  return (cp >= 0xC0 && cp <= 0x24F && cp != 0xD7 && cp != 0xF7);
}

std::string html_escape(std::string_view text) {
  std::string out;
  out.reserve(text.size() + text.size() / 8);
  for (const char c : text) {
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

}  // namespace pse::web
