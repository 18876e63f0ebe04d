// Splits CSV bytes into records of fields (RFC 4180), without interpreting the fields.
//
// Accepts what real exports contain: a UTF-8 byte order mark, LF or CRLF line ends, a missing
// newline after the last record, quoted fields holding delimiters, newlines and doubled
// quotes. Refuses what RFC 4180 forbids and what would otherwise shift every later column:
// a quote inside an unquoted field, text after a closing quote, a quote never closed.
//
// Fields are views into the input (no copy); a quoted field with doubled quotes is unescaped
// on demand by the caller (CsvField::unescape), since most fields never need it.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace pse::adapters::csv {

struct CsvField {
  std::string_view text;     ///< between the quotes for a quoted field, still escaped
  std::size_t offset = 0;    ///< byte offset of the field's first byte (its opening quote) in the input
  bool has_doubled_quotes = false;

  /// The field's value: `text` itself, or a copy with each "" turned into " (in `scratch`).
  std::string_view value(std::string& scratch) const;
};

struct CsvSyntaxError {
  std::size_t offset = 0;  ///< where the problem is
  const char* reason = "";
};

class CsvReader {
 public:
  enum class Step { record, end, syntax_error };

  CsvReader(std::string_view input, char delimiter);

  /// Reads the next record into `fields`. On syntax_error, `error` says where and the reader
  /// has skipped to the next line, so the caller may go on (skip_record policy).
  Step next(std::vector<CsvField>& fields, CsvSyntaxError& error);

  /// Of the record last returned: its first byte, one past its last byte (terminator
  /// excluded), and the 1-based line it starts on.
  std::size_t record_begin() const noexcept { return record_begin_; }
  std::size_t record_end() const noexcept { return record_end_; }
  std::uint64_t record_line() const noexcept { return record_line_; }

  /// Whether the input began with a UTF-8 byte order mark (skipped).
  bool had_byte_order_mark() const noexcept { return byte_order_mark_; }

 private:
  bool read_quoted(CsvField& field, CsvSyntaxError& error);
  void skip_to_next_line();
  bool at_record_end(std::size_t position) const;
  void consume_record_end();

  std::string_view input_;
  char delimiter_;
  std::size_t position_ = 0;
  std::uint64_t line_ = 1;
  std::size_t record_begin_ = 0;
  std::size_t record_end_ = 0;
  std::uint64_t record_line_ = 1;
  bool byte_order_mark_ = false;
};

}  // namespace pse::adapters::csv
