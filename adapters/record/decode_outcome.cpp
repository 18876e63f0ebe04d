#include "adapters/record/decode_outcome.hpp"

#include "adapters/record/utf8.hpp"
#include "base/yaml_reader.hpp"

#include <fstream>

namespace pse::adapters {

std::string_view to_string(ErrorPolicy policy) noexcept {
  return policy == ErrorPolicy::reject_file ? "reject_file" : "skip_record";
}

ErrorPolicy read_error_policy(YamlMap& map) {
  const std::string text = map.string_or("on_error", "reject_file");
  if (text == "reject_file") return ErrorPolicy::reject_file;
  if (text == "skip_record") return ErrorPolicy::skip_record;
  map.fail_key("on_error", "must be reject_file or skip_record, got '" + text + "'");
}

std::string DecodeError::describe() const { return location() + ": " + reason; }

std::string DecodeError::location() const {
  std::string text = file.empty() ? std::string("<input>") : file;
  text += ": ";
  if (record > 0) {
    text += "record " + std::to_string(record);
  } else {
    text += "file";
  }
  if (line || byte_offset) {
    text += " (";
    if (line) text += "line " + std::to_string(*line);
    if (line && byte_offset) text += ", ";
    if (byte_offset) text += "byte " + std::to_string(*byte_offset);
    text += ")";
  }
  if (!field.empty()) text += ", field '" + field + "'";
  return text;
}

void OutcomeBuilder::accept(Record record) {
  ++outcome_.counts.read;
  ++outcome_.counts.accepted;
  outcome_.records.push_back(std::move(record));
}

bool OutcomeBuilder::reject(DecodeError error) {
  if (error.raw.size() > max_raw_bytes) error.raw.resize(max_raw_bytes);
  ++outcome_.counts.read;
  ++outcome_.counts.rejected;
  outcome_.errors.push_back(std::move(error));
  return policy_ == ErrorPolicy::skip_record;
}

void OutcomeBuilder::reject_file(DecodeError error) {
  if (error.raw.size() > max_raw_bytes) error.raw.resize(max_raw_bytes);
  outcome_.errors.push_back(std::move(error));
  file_rejected_ = true;
}

DecodeOutcome OutcomeBuilder::finish() && {
  if (file_rejected_ || (policy_ == ErrorPolicy::reject_file && !outcome_.errors.empty())) {
    outcome_.file_rejected = true;
    outcome_.records.clear();
    outcome_.counts.accepted = 0;
    outcome_.counts.rejected = outcome_.counts.read;
  }
  return std::move(outcome_);
}

std::string reject_line(const DecodeError& error) {
  static constexpr char hex[] = "0123456789abcdef";
  std::string line = "{\"file\":";
  append_json_string(line, error.file);
  line += ",\"record\":" + std::to_string(error.record);
  line += ",\"line\":" + (error.line ? std::to_string(*error.line) : std::string("null"));
  line += ",\"byte_offset\":" + (error.byte_offset ? std::to_string(*error.byte_offset) : std::string("null"));
  line += ",\"field\":";
  append_json_string(line, error.field);
  line += ",\"reason\":";
  append_json_string(line, first_invalid_utf8(error.reason) ? std::string_view("(reason not UTF-8)") : error.reason);
  if (!first_invalid_utf8(error.raw)) {
    line += ",\"raw\":";
    append_json_string(line, error.raw);
  } else {
    line += ",\"raw_hex\":\"";
    for (char c : error.raw) {
      const auto byte = static_cast<unsigned char>(c);
      line.push_back(hex[byte >> 4U]);
      line.push_back(hex[byte & 0xFU]);
    }
    line.push_back('"');
  }
  line.push_back('}');
  return line;
}

pse::Status write_reject_file(const std::filesystem::path& file, const std::vector<DecodeError>& errors) {
  std::ofstream out(file, std::ios::binary | std::ios::trunc);
  if (!out) return pse::make_error(Reason::internal_error, "cannot open reject file " + file.string());
  for (const auto& error : errors) out << reject_line(error) << '\n';
  out.flush();
  if (!out) return pse::make_error(Reason::internal_error, "cannot write reject file " + file.string());
  return pse::Done{};
}

}  // namespace pse::adapters
