#include "adapters/record/field_spec.hpp"

#include "adapters/record/utf8.hpp"
#include "base/yaml_reader.hpp"

#include <array>
#include <charconv>
#include <limits>

namespace pse::adapters {

std::string_view to_string(FieldType type) noexcept {
  switch (type) {
    case FieldType::string: return "string";
    case FieldType::decimal: return "decimal";
    case FieldType::integer: return "integer";
    case FieldType::date: return "date";
    case FieldType::boolean: return "boolean";
  }
  return "string";
}

std::optional<FieldType> field_type_from_string(std::string_view name) noexcept {
  for (FieldType type : {FieldType::string, FieldType::decimal, FieldType::integer, FieldType::date,
                         FieldType::boolean}) {
    if (to_string(type) == name) return type;
  }
  return std::nullopt;
}

namespace {

bool is_digit(char c) { return c >= '0' && c <= '9'; }

ParsedValue failure(const char* reason) { return ParsedValue{Null{}, reason}; }

ParsedValue parse_decimal(std::string_view text, const FieldSpec& spec) {
  Decimal decimal;
  std::size_t i = 0;
  if (text[0] == '-' || text[0] == '+') {
    decimal.negative = text[0] == '-';
    ++i;
  }
  std::string digits;
  digits.reserve(text.size());
  int scale = 0;
  bool seen_separator = false;
  std::size_t digit_count = 0;
  for (; i < text.size(); ++i) {
    const char c = text[i];
    if (is_digit(c)) {
      digits.push_back(c);
      ++digit_count;
      if (seen_separator) ++scale;
    } else if (c == spec.decimal_separator && !seen_separator) {
      seen_separator = true;
    } else if ((c == '.' || c == ',') && c != spec.decimal_separator) {
      return failure("not a decimal: wrong decimal separator");
    } else {
      return failure("not a decimal");
    }
  }
  if (digit_count == 0) return failure("not a decimal: no digits");
  if (seen_separator && scale == 0) return failure("not a decimal: no digits after the separator");
  if (spec.scale) {
    if (scale > *spec.scale) return failure("decimal has more fraction digits than the schema's scale");
    digits.append(static_cast<std::size_t>(*spec.scale - scale), '0');
    scale = *spec.scale;
  }
  // Canonical form: strip leading zeros but keep at least one digit before the point.
  std::size_t first = 0;
  while (first + 1 + static_cast<std::size_t>(scale) < digits.size() && digits[first] == '0') ++first;
  digits.erase(0, first);
  if (digits.size() > static_cast<std::size_t>(max_decimal_digits)) return failure("decimal has more than 38 digits");
  if (digits.find_first_not_of('0') == std::string::npos) decimal.negative = false;
  decimal.digits = std::move(digits);
  decimal.scale = scale;
  return ParsedValue{std::move(decimal), nullptr};
}

ParsedValue parse_integer(std::string_view text) {
  std::size_t start = text[0] == '+' ? 1 : 0;
  if (start == text.size()) return failure("not an integer");
  std::int64_t number = 0;
  const char* end = text.data() + text.size();
  auto [stop, error] = std::from_chars(text.data() + start, end, number);
  if (error == std::errc::result_out_of_range) return failure("integer out of the 64-bit range");
  if (error != std::errc() || stop != end) return failure("not an integer");
  if (start == 1 && text.size() > 1 && text[1] == '-') return failure("not an integer");
  return ParsedValue{number, nullptr};
}

// Reads exactly `width` digits at `position`.
bool read_digits(std::string_view text, std::size_t& position, std::size_t width, int& number) {
  if (position + width > text.size()) return false;
  number = 0;
  for (std::size_t k = 0; k < width; ++k) {
    const char c = text[position + k];
    if (!is_digit(c)) return false;
    number = number * 10 + (c - '0');
  }
  position += width;
  return true;
}

ParsedValue parse_date(std::string_view text, const FieldSpec& spec) {
  int year = 0;
  int month = 0;
  int day = 0;
  std::size_t position = 0;
  const std::string& format = spec.date_format;
  for (std::size_t f = 0; f < format.size(); ++f) {
    if (format[f] == '%' && f + 1 < format.size()) {
      const char directive = format[++f];
      const bool ok = directive == 'Y'   ? read_digits(text, position, 4, year)
                      : directive == 'm' ? read_digits(text, position, 2, month)
                      : directive == 'd' ? read_digits(text, position, 2, day)
                                         : false;
      if (!ok) return failure("date does not match the schema's format");
    } else {
      if (position >= text.size() || text[position] != format[f]) {
        return failure("date does not match the schema's format");
      }
      ++position;
    }
  }
  if (position != text.size()) return failure("date does not match the schema's format");
  Date date;
  if (!make_date(year, month, day, date)) return failure("no such date");
  return ParsedValue{date, nullptr};
}

bool equals_ignoring_case(std::string_view text, std::string_view word) {
  if (text.size() != word.size()) return false;
  for (std::size_t i = 0; i < text.size(); ++i) {
    char c = text[i];
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
    if (c != word[i]) return false;
  }
  return true;
}

ParsedValue parse_boolean(std::string_view text) {
  // English and French spellings, as legacy exports from Québec systems use both.
  static constexpr std::array<std::string_view, 6> truths = {"true", "1", "yes", "y", "oui", "o"};
  static constexpr std::array<std::string_view, 5> falsehoods = {"false", "0", "no", "n", "non"};
  for (auto word : truths) {
    if (equals_ignoring_case(text, word)) return ParsedValue{true, nullptr};
  }
  for (auto word : falsehoods) {
    if (equals_ignoring_case(text, word)) return ParsedValue{false, nullptr};
  }
  return failure("not a boolean (true/false, 1/0, yes/no, oui/non)");
}

}  // namespace

ParsedValue parse_field_value(std::string_view text, const FieldSpec& spec) {
  if (text.empty()) return spec.required ? failure("required value is missing") : ParsedValue{Null{}, nullptr};
  switch (spec.type) {
    case FieldType::string:
      if (first_invalid_utf8(text)) return failure("text is not valid UTF-8");
      return ParsedValue{std::string(text), nullptr};
    case FieldType::decimal: return parse_decimal(text, spec);
    case FieldType::integer: return parse_integer(text);
    case FieldType::date: return parse_date(text, spec);
    case FieldType::boolean: return parse_boolean(text);
  }
  return failure("unknown field type");
}

namespace {

void check_date_format(YamlMap& map, const std::string& format) {
  bool year = false;
  bool month = false;
  bool day = false;
  for (std::size_t f = 0; f < format.size(); ++f) {
    if (format[f] != '%') continue;
    if (f + 1 == format.size()) map.fail_key("format", "ends with a lone '%'");
    const char directive = format[++f];
    if (directive == 'Y') year = true;
    else if (directive == 'm') month = true;
    else if (directive == 'd') day = true;
    else map.fail_key("format", std::string("uses %") + directive + "; only %Y, %m and %d are supported");
  }
  if (!year || !month || !day) map.fail_key("format", "must contain %Y, %m and %d");
}

}  // namespace

FieldSpec read_field_spec(YamlMap& map, const FieldSpec& defaults) {
  FieldSpec spec = defaults;
  spec.name = map.required_string("name");
  const std::string type = map.string_or("type", "string");
  const auto parsed_type = field_type_from_string(type);
  if (!parsed_type) map.fail_key("type", "must be one of string, decimal, integer, date, boolean; got '" + type + "'");
  spec.type = *parsed_type;
  spec.required = map.boolean_or("required", false);
  if (auto format = map.optional_string("format")) {
    if (spec.type != FieldType::date) map.fail_key("format", "applies to dates only");
    spec.date_format = *format;
  }
  if (spec.type == FieldType::date) check_date_format(map, spec.date_format);
  if (auto separator = map.optional_string("decimal_separator")) {
    if (spec.type != FieldType::decimal) map.fail_key("decimal_separator", "applies to decimals only");
    if (*separator != "." && *separator != ",") map.fail_key("decimal_separator", "must be '.' or ','");
    spec.decimal_separator = (*separator)[0];
  }
  if (map.has("scale")) {
    if (spec.type != FieldType::decimal) map.fail_key("scale", "applies to decimals only");
    spec.scale = static_cast<int>(map.integer_or("scale", 0, 0, max_decimal_digits));
  }
  return spec;
}

}  // namespace pse::adapters
