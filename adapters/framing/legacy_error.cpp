#include "adapters/framing/legacy_error.hpp"

namespace pse::legacy {

std::string_view to_string(LegacyErrorCode code) noexcept {
  switch (code) {
    case LegacyErrorCode::truncated_record: return "truncated_record";
    case LegacyErrorCode::bad_record_descriptor: return "bad_record_descriptor";
    case LegacyErrorCode::record_too_long: return "record_too_long";
    case LegacyErrorCode::control_total_mismatch: return "control_total_mismatch";
    case LegacyErrorCode::missing_header: return "missing_header";
    case LegacyErrorCode::missing_trailer: return "missing_trailer";
    case LegacyErrorCode::bad_digit: return "bad_digit";
    case LegacyErrorCode::bad_packed_nibble: return "bad_packed_nibble";
    case LegacyErrorCode::sign_not_allowed: return "sign_not_allowed";
    case LegacyErrorCode::bad_sign: return "bad_sign";
    case LegacyErrorCode::occurs_out_of_range: return "occurs_out_of_range";
    case LegacyErrorCode::unknown_record_type: return "unknown_record_type";
    case LegacyErrorCode::unmappable_byte: return "unmappable_byte";
    case LegacyErrorCode::unmappable_character: return "unmappable_character";
    case LegacyErrorCode::value_out_of_range: return "value_out_of_range";
    case LegacyErrorCode::wrong_value_type: return "wrong_value_type";
    case LegacyErrorCode::copybook_syntax: return "copybook_syntax";
    case LegacyErrorCode::copybook_unsupported: return "copybook_unsupported";
    case LegacyErrorCode::io_error: return "io_error";
  }
  return "unknown";
}

std::string LegacyError::describe() const {
  std::string text = location();
  if (!message.empty()) text += ": " + message;
  return text;
}

std::string LegacyError::location() const {
  std::string text;
  if (!file.empty()) text += file + ": ";
  if (line != 0) text += "line " + std::to_string(line) + ": ";
  if (record_number != 0) text += "record " + std::to_string(record_number) + ", ";
  if (record_number != 0 || byte_offset != 0) text += "byte " + std::to_string(byte_offset) + ": ";
  if (!field.empty()) text += "field " + field + ": ";
  text += to_string(code);
  return text;
}

}  // namespace pse::legacy
