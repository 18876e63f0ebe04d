// Typed fields: how a piece of legacy text becomes a Value.
//
// CSV columns, XML elements and SQL columns all arrive as text; a FieldSpec says which type the
// text must hold and how it is written (date format, decimal separator, scale). Parsing is
// strict — "12,5" in a field declared with '.' is an error, not 125 — because a wrong amount
// published to another ministry is worse than a rejected record.
//
// parse_field_value() is on the decode path: it returns a static reason instead of throwing
// and does not allocate unless the value itself needs storage.
#pragma once

#include "adapters/record/record.hpp"

#include <optional>
#include <string>
#include <string_view>

namespace pse {
class YamlMap;
}

namespace pse::adapters {

enum class FieldType { string, decimal, integer, date, boolean };

std::string_view to_string(FieldType type) noexcept;
std::optional<FieldType> field_type_from_string(std::string_view name) noexcept;

/// Exact decimals hold at most this many digits (as SQL DECIMAL(38)); COBOL's 31 fit.
inline constexpr int max_decimal_digits = 38;

struct FieldSpec {
  std::string name;                 ///< the field's name in the record
  FieldType type = FieldType::string;
  bool required = false;            ///< an empty or absent value is an error, not null
  std::string date_format = "%Y-%m-%d";  ///< %Y (4 digits), %m, %d (2 digits) and literal characters
  char decimal_separator = '.';     ///< '.' or ','
  std::optional<int> scale;         ///< decimals: rescale to exactly this many fraction digits
};

struct ParsedValue {
  Value value;
  const char* error = nullptr;  ///< nullptr on success; otherwise a static reason
};

/// Parses `text` as `spec` says. Empty text is Null, or the error "required value is missing".
ParsedValue parse_field_value(std::string_view text, const FieldSpec& spec);

/// Reads the common keys of a field spec — name, type, required, format, decimal_separator,
/// scale — from `map`. The caller reads its own keys (column, path…) and calls map.finish().
/// `defaults` supplies the schema-wide date format and decimal separator. Throws ConfigError.
FieldSpec read_field_spec(YamlMap& map, const FieldSpec& defaults);

}  // namespace pse::adapters
