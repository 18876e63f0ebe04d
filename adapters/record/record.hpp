// The canonical record model shared by every legacy codec (copybook, CSV, XML, SQL).
//
// A codec turns legacy bytes into `Record`s: an ordered list of named, typed fields. The types
// are deliberately few — text, exact decimal, integer, date, boolean, null — because that is
// what the classification's fields need, and because each has one canonical JSON spelling:
//
//     {"nom":"Tremblay","solde":"-1234.50","enfants":2,"naissance":"1984-02-29","actif":true,"note":null}
//
// Money never goes through floating point: a Decimal is a digit string with a scale, and its
// JSON form is a string so that no consumer's JSON parser rounds an 18- or 31-digit amount.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <variant>
#include <vector>

namespace pse::adapters {

/// An exact decimal: value = (negative ? -1 : 1) × digits × 10^-scale.
/// Canonical form: `digits` has no leading zeros beyond those needed to hold `scale` digits
/// after the point (so 0.05 is digits "005", scale 2), and zero is never negative.
struct Decimal {
  bool negative = false;
  std::string digits = "0";
  int scale = 0;

  /// "-1234.50", "0.05", "42": the canonical text, also the JSON string.
  std::string to_string() const;
  friend bool operator==(const Decimal&, const Decimal&) = default;
};

/// A calendar date (proleptic Gregorian), always valid once built by `make_date`.
struct Date {
  int year = 1970;
  int month = 1;
  int day = 1;

  /// "2024-02-29" (ISO 8601), the JSON string.
  std::string to_string() const;
  friend bool operator==(const Date&, const Date&) = default;
};

/// Builds a Date, or returns false when the day does not exist (2023-02-29, 2024-13-01).
bool make_date(int year, int month, int day, Date& date);

struct Null {
  friend bool operator==(Null, Null) = default;
};

class Record;

/// The occurrences of a repeating group (COBOL OCCURS), each a record of its own; its JSON is
/// an array of objects. Lists do not nest: an item holds only the other types.
struct List {
  std::vector<Record> items;
  friend bool operator==(const List&, const List&);
};

/// One field value. The order of the alternatives is part of no contract; use std::get_if.
using Value = std::variant<Null, std::string, Decimal, std::int64_t, Date, bool, List>;

struct Field {
  std::string name;
  Value value;
  friend bool operator==(const Field&, const Field&) = default;
};

/// A record: fields in the order the schema declares them. Names are unique within a record
/// (the schemas enforce it), so the JSON object has no duplicate keys.
class Record {
 public:
  Record() = default;
  explicit Record(std::vector<Field> fields) : fields_(std::move(fields)) {}

  void add(std::string name, Value value) { fields_.push_back(Field{std::move(name), std::move(value)}); }
  void reserve(std::size_t count) { fields_.reserve(count); }
  const std::vector<Field>& fields() const noexcept { return fields_; }
  std::size_t size() const noexcept { return fields_.size(); }

  /// The value of a field, or nullptr when the record has no field of that name.
  const Value* find(std::string_view name) const;

  friend bool operator==(const Record&, const Record&) = default;

 private:
  std::vector<Field> fields_;
};

inline bool operator==(const List& a, const List& b) { return a.items == b.items; }

/// Canonical JSON of a value: strings escaped per RFC 8259 (UTF-8 kept as is, control
/// characters as \u00XX), decimals and dates as strings, integers as numbers.
void append_json(std::string& out, const Value& value);
std::string to_json(const Value& value);

/// Canonical JSON of a record: one compact object, keys in record order, no spaces.
std::string to_json(const Record& record);

/// Appends `text` as a JSON string literal (with quotes) to `out`.
void append_json_string(std::string& out, std::string_view text);

}  // namespace pse::adapters
