#include "adapters/record/record.hpp"

#include <array>
#include <charconv>

namespace pse::adapters {

std::string Decimal::to_string() const {
  std::string text;
  text.reserve(digits.size() + 2);
  if (negative) text.push_back('-');
  const auto fraction = static_cast<std::size_t>(scale);
  if (scale <= 0 || digits.size() <= fraction) {
    // Not canonical (a Decimal built by hand): still print an exact value.
    if (scale <= 0) {
      text += digits;
      text.append(static_cast<std::size_t>(-scale), '0');
      return text;
    }
    text += "0.";
    text.append(fraction - digits.size(), '0');
    text += digits;
    return text;
  }
  text.append(digits, 0, digits.size() - fraction);
  text.push_back('.');
  text.append(digits, digits.size() - fraction, fraction);
  return text;
}

namespace {

bool is_leap_year(int year) { return (year % 4 == 0 && year % 100 != 0) || year % 400 == 0; }

int days_in_month(int year, int month) {
  static constexpr std::array<int, 12> days = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  if (month == 2 && is_leap_year(year)) return 29;
  return days[static_cast<std::size_t>(month - 1)];
}

void append_padded(std::string& out, int number, int width) {
  std::array<char, 16> buffer{};
  auto [end, error] = std::to_chars(buffer.data(), buffer.data() + buffer.size(), number);
  (void)error;
  const auto length = static_cast<int>(end - buffer.data());
  for (int i = length; i < width; ++i) out.push_back('0');
  out.append(buffer.data(), end);
}

}  // namespace

std::string Date::to_string() const {
  std::string text;
  text.reserve(10);
  append_padded(text, year, 4);
  text.push_back('-');
  append_padded(text, month, 2);
  text.push_back('-');
  append_padded(text, day, 2);
  return text;
}

bool make_date(int year, int month, int day, Date& date) {
  // Years 1..9999 keep the ISO form at four digits, which is what every consumer expects.
  if (year < 1 || year > 9999 || month < 1 || month > 12) return false;
  if (day < 1 || day > days_in_month(year, month)) return false;
  date = Date{year, month, day};
  return true;
}

const Value* Record::find(std::string_view name) const {
  for (const auto& field : fields_) {
    if (field.name == name) return &field.value;
  }
  return nullptr;
}

void append_json_string(std::string& out, std::string_view text) {
  static constexpr char hex[] = "0123456789abcdef";
  out.push_back('"');
  std::size_t plain_start = 0;
  for (std::size_t i = 0; i < text.size(); ++i) {
    const auto byte = static_cast<unsigned char>(text[i]);
    if (byte >= 0x20 && byte != '"' && byte != '\\') continue;
    out.append(text.substr(plain_start, i - plain_start));
    plain_start = i + 1;
    switch (byte) {
      case '"': out += "\\\""; break;
      case '\\': out += "\\\\"; break;
      case '\n': out += "\\n"; break;
      case '\r': out += "\\r"; break;
      case '\t': out += "\\t"; break;
      case '\b': out += "\\b"; break;
      case '\f': out += "\\f"; break;
      default:
        out += "\\u00";
        out.push_back(hex[byte >> 4U]);
        out.push_back(hex[byte & 0xFU]);
    }
  }
  out.append(text.substr(plain_start));
  out.push_back('"');
}

namespace {

struct JsonAppender {
  std::string& out;
  void operator()(const Null&) const { out += "null"; }
  void operator()(const std::string& text) const { append_json_string(out, text); }
  void operator()(const Decimal& decimal) const {
    out.push_back('"');
    out += decimal.to_string();
    out.push_back('"');
  }
  void operator()(std::int64_t number) const {
    std::array<char, 24> buffer{};
    auto [end, error] = std::to_chars(buffer.data(), buffer.data() + buffer.size(), number);
    (void)error;
    out.append(buffer.data(), end);
  }
  void operator()(const Date& date) const {
    out.push_back('"');
    out += date.to_string();
    out.push_back('"');
  }
  void operator()(bool flag) const { out += flag ? "true" : "false"; }
  void operator()(const List& list) const {
    out.push_back('[');
    for (std::size_t i = 0; i < list.items.size(); ++i) {
      if (i > 0) out.push_back(',');
      out += to_json(list.items[i]);
    }
    out.push_back(']');
  }
};

}  // namespace

void append_json(std::string& out, const Value& value) { std::visit(JsonAppender{out}, value); }

std::string to_json(const Value& value) {
  std::string out;
  append_json(out, value);
  return out;
}

std::string to_json(const Record& record) {
  std::string out;
  out.reserve(16 * record.size() + 2);
  out.push_back('{');
  bool first = true;
  for (const auto& field : record.fields()) {
    if (!first) out.push_back(',');
    first = false;
    append_json_string(out, field.name);
    out.push_back(':');
    append_json(out, field.value);
  }
  out.push_back('}');
  return out;
}

}  // namespace pse::adapters
