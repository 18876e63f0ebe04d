#include "broker/http_target.hpp"

namespace pse::broker {
namespace {

int hex_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

std::optional<std::string> decode(std::string_view text, bool plus_is_space) {
  std::string out;
  out.reserve(text.size());
  for (std::size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    if (c == '%') {
      if (i + 2 >= text.size()) return std::nullopt;
      const int high = hex_value(text[i + 1]);
      const int low = hex_value(text[i + 2]);
      if (high < 0 || low < 0) return std::nullopt;
      const char decoded = static_cast<char>(high * 16 + low);
      if (decoded == '\0') return std::nullopt;
      out.push_back(decoded);
      i += 2;
    } else if (c == '+' && plus_is_space) {
      out.push_back(' ');
    } else {
      out.push_back(c);
    }
  }
  return out;
}

}  // namespace

bool Target::matches(std::initializer_list<std::string_view> pattern) const {
  if (pattern.size() != segments.size()) return false;
  std::size_t i = 0;
  for (std::string_view part : pattern) {
    if (part != "*" && part != segments[i]) return false;
    if (part == "*" && segments[i].empty()) return false;
    ++i;
  }
  return true;
}

std::optional<Target> parse_target(std::string_view target) {
  if (target.empty() || target.front() != '/') return std::nullopt;
  Target parsed;
  const auto question = target.find('?');
  std::string_view path = target.substr(0, question);
  std::size_t start = 1;
  while (start <= path.size()) {
    const auto slash = path.find('/', start);
    const auto end = slash == std::string_view::npos ? path.size() : slash;
    auto segment = decode(path.substr(start, end - start), false);
    if (!segment || segment->find('/') != std::string::npos) return std::nullopt;
    parsed.segments.push_back(std::move(*segment));
    start = end + 1;
  }
  if (question != std::string_view::npos) {
    std::string_view query = target.substr(question + 1);
    while (!query.empty()) {
      const auto amp = query.find('&');
      std::string_view pair = query.substr(0, amp);
      const auto equals = pair.find('=');
      auto key = decode(pair.substr(0, equals), true);
      auto value = decode(equals == std::string_view::npos ? std::string_view() : pair.substr(equals + 1), true);
      if (!key || !value) return std::nullopt;
      if (!key->empty()) parsed.query.emplace(std::move(*key), std::move(*value));
      if (amp == std::string_view::npos) break;
      query.remove_prefix(amp + 1);
    }
  }
  return parsed;
}

}  // namespace pse::broker
