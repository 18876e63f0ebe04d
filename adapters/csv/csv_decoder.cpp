#include "adapters/csv/csv_decoder.hpp"

#include "adapters/csv/csv_reader.hpp"
#include "adapters/record/utf8.hpp"

#include <algorithm>
#include <fstream>
#include <sstream>

namespace pse::adapters::csv {
namespace {

// A bad value is quoted in the message, shortened: enough to find it, not a whole blob.
// Bytes that are not UTF-8 are shown as \xHH so that the message itself stays valid text.
std::string quote_value(std::string_view text) {
  constexpr std::size_t shown = 40;
  std::size_t cut = std::min(shown, text.size());
  // Never cut a UTF-8 sequence in two.
  while (cut < text.size() && cut > 0 && (static_cast<unsigned char>(text[cut]) & 0xC0U) == 0x80U) --cut;
  const std::string_view head = text.substr(0, cut);
  std::string quoted = "'";
  if (first_invalid_utf8(head)) {
    static constexpr char hex[] = "0123456789ABCDEF";
    for (char c : head) {
      const auto byte = static_cast<unsigned char>(c);
      if (byte < 0x80) {
        quoted.push_back(c);
      } else {
        quoted += "\\x";
        quoted.push_back(hex[byte >> 4U]);
        quoted.push_back(hex[byte & 0xFU]);
      }
    }
  } else {
    quoted += head;
  }
  return quoted + (cut < text.size() ? "…'" : "'");
}

class Decoder {
 public:
  Decoder(std::string_view input, std::string_view file_name, const CsvSchema& schema)
      : input_(input), file_name_(file_name), schema_(schema), reader_(input, schema.delimiter),
        builder_(schema.on_error) {
    fields_.reserve(schema.columns.size() + 1);
    // Line ends bound the record count from above (quoted newlines only overcount); counting
    // them costs a vectorised pass and saves regrowing a list of a million records.
    builder_.reserve(static_cast<std::size_t>(std::count(input.begin(), input.end(), '\n')) + 1);
  }

  DecodeOutcome run() && {
    if (schema_.header && !read_header()) return std::move(builder_).finish();
    std::uint64_t record_number = 0;
    while (true) {
      CsvSyntaxError syntax;
      const auto step = reader_.next(fields_, syntax);
      if (step == CsvReader::Step::end) break;
      ++record_number;
      const bool go_on = step == CsvReader::Step::syntax_error
                             ? builder_.reject(error_at(record_number, syntax.offset, "", syntax.reason))
                             : decode_record(record_number);
      if (!go_on) break;
    }
    return std::move(builder_).finish();
  }

 private:
  DecodeError error_at(std::uint64_t record, std::size_t offset, std::string field, std::string reason) const {
    DecodeError error;
    error.file = std::string(file_name_);
    error.record = record;
    error.line = reader_.record_line();
    error.byte_offset = offset;
    error.field = std::move(field);
    error.reason = std::move(reason);
    const std::size_t begin = reader_.record_begin();
    error.raw = std::string(input_.substr(begin, std::min(reader_.record_end() - begin, max_raw_bytes)));
    return error;
  }

  bool read_header() {
    CsvSyntaxError syntax;
    const auto step = reader_.next(fields_, syntax);
    if (step == CsvReader::Step::end) {
      builder_.reject_file(error_at(0, input_.size(), "", "the file is empty; the schema expects a header"));
      return false;
    }
    if (step == CsvReader::Step::syntax_error) {
      builder_.reject_file(error_at(0, syntax.offset, "", std::string("header: ") + syntax.reason));
      return false;
    }
    if (fields_.size() != schema_.columns.size()) {
      builder_.reject_file(error_at(0, reader_.record_begin(), "",
                                    "header has " + std::to_string(fields_.size()) + " columns, the schema " +
                                        std::to_string(schema_.columns.size())));
      return false;
    }
    for (std::size_t i = 0; i < fields_.size(); ++i) {
      const std::string_view name = fields_[i].value(scratch_);
      if (name != schema_.columns[i].name) {
        builder_.reject_file(error_at(0, fields_[i].offset, schema_.columns[i].name,
                                      "header names column " + std::to_string(i + 1) + " " + quote_value(name) +
                                          ", the schema expects '" + schema_.columns[i].name + "'"));
        return false;
      }
    }
    return true;
  }

  bool decode_record(std::uint64_t record_number) {
    if (fields_.size() != schema_.columns.size()) {
      return builder_.reject(error_at(record_number, reader_.record_begin(), "",
                                      "record has " + std::to_string(fields_.size()) + " fields, the schema expects " +
                                          std::to_string(schema_.columns.size())));
    }
    Record record;
    record.reserve(fields_.size());
    for (std::size_t i = 0; i < fields_.size(); ++i) {
      const FieldSpec& spec = schema_.columns[i];
      const std::string_view text = fields_[i].value(scratch_);
      ParsedValue parsed = parse_field_value(text, spec);
      if (parsed.error != nullptr) {
        std::string reason = parsed.error;
        if (!text.empty()) reason += ": " + quote_value(text);
        return builder_.reject(error_at(record_number, fields_[i].offset, spec.name, std::move(reason)));
      }
      record.add(spec.name, std::move(parsed.value));
    }
    builder_.accept(std::move(record));
    return true;
  }

  std::string_view input_;
  std::string_view file_name_;
  const CsvSchema& schema_;
  CsvReader reader_;
  OutcomeBuilder builder_;
  std::vector<CsvField> fields_;
  std::string scratch_;
};

}  // namespace

DecodeOutcome decode_csv(std::string_view input, std::string_view file_name, const CsvSchema& schema) {
  return Decoder(input, file_name, schema).run();
}

pse::Result<DecodeOutcome> decode_csv_file(const std::filesystem::path& file, const CsvSchema& schema) {
  std::ifstream in(file, std::ios::binary);
  if (!in) return pse::make_error(Reason::malformed_request, "cannot open " + file.string());
  std::stringstream bytes;
  bytes << in.rdbuf();
  if (in.bad()) return pse::make_error(Reason::malformed_request, "cannot read " + file.string());
  return decode_csv(bytes.view(), file.string(), schema);
}

}  // namespace pse::adapters::csv
