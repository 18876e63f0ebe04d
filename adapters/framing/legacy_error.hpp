// The error every legacy codec reports: what went wrong, and where — file, record number, byte
// offset in the file, field. An operator reading a reject file must be able to open the file at
// that offset and see the bad bytes, without rerunning anything.
#pragma once

#include <pse/expected.hpp>

#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <variant>

namespace pse::legacy {

enum class LegacyErrorCode : std::uint8_t {
  truncated_record,        ///< fewer bytes than the layout or the record descriptor says
  bad_record_descriptor,   ///< an RDW or BDW that cannot be right (length too small, reserved bytes set)
  record_too_long,         ///< beyond the configured maximum record length
  control_total_mismatch,  ///< the trailer's count or total disagrees with the records read
  missing_header,          ///< a header record was required and absent
  missing_trailer,         ///< a trailer record was required and absent
  bad_digit,               ///< a byte that is not a digit in a numeric field
  bad_packed_nibble,       ///< a COMP-3 digit nibble above 9 or an unknown sign nibble
  sign_not_allowed,        ///< a negative sign in a field declared without S
  bad_sign,                ///< a separate sign that is neither '+' nor '-'
  occurs_out_of_range,     ///< an OCCURS DEPENDING ON count outside its declared bounds
  unknown_record_type,     ///< a REDEFINES selector value that names no alternative
  unmappable_byte,         ///< a byte the field's code page does not define
  unmappable_character,    ///< a character the field's code page cannot hold (encoding)
  value_out_of_range,      ///< a value that does not fit the field (encoding)
  wrong_value_type,        ///< a value of the wrong kind for the field (encoding)
  copybook_syntax,         ///< copybook text that is not valid COBOL
  copybook_unsupported,    ///< valid COBOL that PSE does not read (named in the message)
  io_error,                ///< the file could not be read or written
};

/// The stable snake_case spelling, e.g. "bad_packed_nibble" (used in reject files).
std::string_view to_string(LegacyErrorCode code) noexcept;

struct LegacyError {
  LegacyError(LegacyErrorCode error_code, std::string error_message)
      : code(error_code), message(std::move(error_message)) {}

  LegacyErrorCode code;
  std::string message;             ///< what is wrong, for a person
  std::string file;                ///< data file (or copybook) name; empty when not known
  std::uint64_t record_number = 0; ///< 1-based; 0 when the error is not about one record
  std::uint64_t byte_offset = 0;   ///< from the start of the file (or of the record when file is empty)
  std::string field;               ///< COBOL name of the field, with subscripts, e.g. "ITEM(3).PRICE"
  std::uint64_t line = 0;          ///< copybook line, for copybook errors
  bool file_level = false;         ///< the file cannot be read past this point (no resynchronisation)

  /// "accounts.dat: record 12, byte 1044, field BALANCE: bad_packed_nibble: ..."
  std::string describe() const;
  /// The same without `message`, which may quote a value: where, and the code (what a log line
  /// may say).
  std::string location() const;
};

/// A value or a LegacyError: the result type of the decode path (no exceptions there).
template <typename T>
using LegacyResult = pse::Expected<T, LegacyError>;

}  // namespace pse::legacy
