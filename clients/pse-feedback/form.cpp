#include "form.hpp"

#include "text.hpp"

#include <algorithm>

namespace pse::feedback {
namespace {

int hex_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

std::string_view trim(std::string_view text) {
  const auto first = text.find_first_not_of(" \t\r\n");
  if (first == std::string_view::npos) return {};
  return text.substr(first, text.find_last_not_of(" \t\r\n") - first + 1);
}

}  // namespace

std::optional<std::string> percent_decode(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (std::size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    if (c == '+') {
      out += ' ';
    } else if (c == '%') {
      if (i + 2 >= text.size()) return std::nullopt;
      const int high = hex_value(text[i + 1]);
      const int low = hex_value(text[i + 2]);
      if (high < 0 || low < 0) return std::nullopt;
      out += static_cast<char>(high * 16 + low);
      i += 2;
    } else {
      out += c;
    }
  }
  return out;
}

std::optional<std::map<std::string, std::string>> parse_form(std::string_view body,
                                                             std::initializer_list<std::string_view> allowed) {
  std::map<std::string, std::string> fields;
  std::size_t start = 0;
  while (start <= body.size()) {
    const auto end = std::min(body.find('&', start), body.size());
    const std::string_view pair = body.substr(start, end - start);
    start = end + 1;
    if (pair.empty()) {
      if (end == body.size()) break;
      continue;
    }
    const auto equals = pair.find('=');
    auto name = percent_decode(pair.substr(0, equals));
    auto value = percent_decode(equals == std::string_view::npos ? std::string_view() : pair.substr(equals + 1));
    if (!name || !value || !is_clean_utf8(*value)) return std::nullopt;
    if (std::find(allowed.begin(), allowed.end(), *name) == allowed.end()) return std::nullopt;
    if (!fields.emplace(std::move(*name), std::move(*value)).second) return std::nullopt;
    if (end == body.size()) break;
  }
  return fields;
}

Expected<ValidAnswer, FormErrors> validate_answer(const FormValues& values, std::size_t max_comment_chars) {
  FormErrors errors;
  ValidAnswer answer;
  if (values.rating.empty()) {
    errors.rating = FieldError::missing;
  } else if (values.rating.size() != 1 || values.rating[0] < '1' || values.rating[0] > '5') {
    errors.rating = FieldError::invalid;
  } else {
    answer.rating = values.rating[0] - '0';
  }
  if (values.got_what_needed.empty()) {
    errors.got_what_needed = FieldError::missing;
  } else if (values.got_what_needed != "yes" && values.got_what_needed != "no") {
    errors.got_what_needed = FieldError::invalid;
  } else {
    answer.got_what_needed = values.got_what_needed == "yes";
  }
  const std::string_view comment = trim(values.comment);
  if (!is_clean_utf8(comment)) {
    errors.comment = FieldError::invalid;
  } else if (code_point_count(comment) > max_comment_chars) {
    errors.comment = FieldError::too_long;
  } else {
    answer.comment = std::string(comment);
  }
  if (errors.any()) return errors;
  return answer;
}

}  // namespace pse::feedback
