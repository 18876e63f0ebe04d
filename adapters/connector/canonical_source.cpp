#include "adapters/connector/canonical_source.hpp"

#include "adapters/copybook/copybook_parser.hpp"
#include "adapters/copybook/decimal.hpp"
#include "adapters/copybook/record_file_reader.hpp"
#include "adapters/csv/csv_decoder.hpp"
#include "adapters/csv/csv_schema.hpp"
#include "adapters/xml/xml_decoder.hpp"
#include "adapters/xml/xml_schema.hpp"
#include "base/config_error.hpp"

#include <unistd.h>

#include <algorithm>
#include <charconv>
#include <cmath>
#include <fstream>
#include <limits>
#include <set>
#include <sstream>

namespace pse::connector {
namespace {

using adapters::DecodeOutcome;
using adapters::ErrorPolicy;

/// Record numbers of the accepted records: 1..read, less the rejected ones (one error per record).
std::vector<std::uint64_t> accepted_numbers(const DecodeOutcome& outcome) {
  std::set<std::uint64_t> rejected;
  for (const auto& error : outcome.errors) rejected.insert(error.record);
  std::vector<std::uint64_t> numbers;
  numbers.reserve(outcome.records.size());
  for (std::uint64_t number = 1; numbers.size() < outcome.records.size(); ++number) {
    if (!rejected.contains(number)) numbers.push_back(number);
  }
  return numbers;
}

FileBatch batch_of(DecodeOutcome outcome) {
  FileBatch batch;
  batch.numbers = accepted_numbers(outcome);
  batch.counts = outcome.counts;
  batch.file_rejected = outcome.file_rejected;
  if (outcome.file_rejected && !outcome.errors.empty()) {
    batch.file_reason = outcome.errors.front().describe();
    batch.file_location = outcome.errors.front().location();
  }
  for (const auto& error : outcome.errors) batch.reject_lines.push_back(adapters::reject_line(error));
  batch.records = std::move(outcome.records);
  return batch;
}

class CsvCodec final : public FileCodec {
 public:
  explicit CsvCodec(adapters::csv::CsvSchema schema) : schema_(std::move(schema)) {}
  FileBatch decode(std::string_view bytes, const std::string& file_name) const override {
    return batch_of(adapters::csv::decode_csv(bytes, file_name, schema_));
  }
  std::optional<std::string> field_problem(std::string_view name) const override {
    if (std::any_of(schema_.columns.begin(), schema_.columns.end(), [&](const auto& c) { return c.name == name; })) {
      return std::nullopt;
    }
    return "'" + std::string(name) + "' is not a column of the CSV schema";
  }
  ErrorPolicy policy() const override { return schema_.on_error; }

 private:
  adapters::csv::CsvSchema schema_;
};

class XmlCodec final : public FileCodec {
 public:
  explicit XmlCodec(adapters::xml::XmlSchema schema) : schema_(std::move(schema)) {}
  FileBatch decode(std::string_view bytes, const std::string& file_name) const override {
    return batch_of(adapters::xml::decode_xml(bytes, file_name, schema_));
  }
  std::optional<std::string> field_problem(std::string_view name) const override {
    if (std::any_of(schema_.fields.begin(), schema_.fields.end(), [&](const auto& f) { return f.spec.name == name; })) {
      return std::nullopt;
    }
    return "'" + std::string(name) + "' is not a field of the XML schema";
  }
  ErrorPolicy policy() const override { return schema_.on_error; }

 private:
  adapters::xml::XmlSchema schema_;
};

std::string json_string(std::string_view text) {
  std::string out;
  adapters::append_json_string(out, text);
  return out;
}

std::string read_text_file(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

/// The copybook reader writes the rejects of skip_record itself; the connector collects them
/// as lines, so it gets them through a private temporary file.
class TemporaryFile {
 public:
  TemporaryFile() {
    std::string pattern = (std::filesystem::temp_directory_path() / "pse-connector-rejects-XXXXXX").string();
    const int fd = mkstemp(pattern.data());
    if (fd >= 0) {
      close(fd);
      path_ = pattern;
    }
  }
  ~TemporaryFile() {
    if (!path_.empty()) {
      std::error_code ignored;
      std::filesystem::remove(path_, ignored);
    }
  }
  TemporaryFile(const TemporaryFile&) = delete;
  TemporaryFile& operator=(const TemporaryFile&) = delete;
  const std::filesystem::path& path() const { return path_; }

 private:
  std::filesystem::path path_;
};

bool inside_table(const legacy::LayoutNode* node) {
  for (; node != nullptr; node = node->parent) {
    if (node->is_table) return true;
  }
  return false;
}

// An OCCURS item outside any other table: what a list field maps.
bool is_repeating_group(const legacy::LayoutNode* node) {
  return node != nullptr && node->is_table && !node->is_filler && !inside_table(node->parent);
}

// The first item named `name` in `node` or below it (the node itself included).
const legacy::LayoutNode* find_within(const legacy::LayoutNode& node, std::string_view name) {
  if (node.name == name) return &node;
  for (const auto& child : node.children) {
    if (const legacy::LayoutNode* found = find_within(*child, name)) return found;
  }
  return nullptr;
}

class CopybookCodec final : public FileCodec {
 public:
  CopybookCodec(const SourceConfig& source, const std::vector<std::string>& wanted) : source_(source) {
    const std::string text = read_text_file(source.copybook);
    if (text.empty()) throw ConfigError(source.copybook, 0, "cannot read the copybook, or it is empty");
    auto layout = legacy::parse_copybook(text, source.copybook_options, source.copybook.filename().string());
    if (!layout) {
      const auto& error = layout.error();
      throw ConfigError(source.copybook, static_cast<int>(error.line), std::string(legacy::to_string(error.code)) + ": " + error.message);
    }
    layout_ = std::make_unique<legacy::CopybookLayout>(std::move(layout.value()));
    if (source_.framing.format == legacy::RecordFormat::fixed && source_.framing.record_length == 0) {
      source_.framing.record_length = layout_->record_size();
    }
    for (const auto& name : wanted) {
      const legacy::LayoutNode* node = layout_->find(name);
      if (is_repeating_group(node)) {
        if (std::find(tables_.begin(), tables_.end(), node) == tables_.end()) tables_.push_back(node);
        continue;
      }
      if (node == nullptr || node->is_group || node->is_filler || inside_table(node)) continue;  // field_problem says why
      if (std::find(items_.begin(), items_.end(), node) == items_.end()) items_.push_back(node);
    }
  }

  FileBatch decode(std::string_view bytes, const std::string& file_name) const override {
    FileBatch batch;
    legacy::FileReadOptions options;
    options.framing = source_.framing;
    options.policy = source_.on_error == ErrorPolicy::skip_record ? legacy::RejectPolicy::skip_record
                                                                   : legacy::RejectPolicy::reject_file;
    options.file_name = file_name;
    options.pad_short_records = source_.pad_short_records;
    TemporaryFile rejects;
    options.reject_file = rejects.path();
    auto summary = legacy::read_records(bytes, *layout_, options, [&](const legacy::Record& record, const legacy::Frame& frame) {
      batch.records.push_back(to_canonical(record, items_, tables_));
      batch.numbers.push_back(frame.record_number);
    });
    if (!summary) {
      const legacy::LegacyError& error = summary.error();
      batch.records.clear();
      batch.numbers.clear();
      batch.file_rejected = true;
      batch.file_reason = error.describe();
      batch.file_location = error.location();
      batch.counts.read = std::max<std::uint64_t>(error.record_number, 1);
      batch.counts.rejected = batch.counts.read;
      batch.reject_lines.push_back("{\"file\":" + json_string(file_name) + ",\"record\":" + std::to_string(error.record_number) +
                                   ",\"offset\":" + std::to_string(error.byte_offset) + ",\"field\":" + json_string(error.field) +
                                   ",\"reason\":\"" + std::string(legacy::to_string(error.code)) +
                                   "\",\"message\":" + json_string(error.message) + "}");
      return batch;
    }
    batch.counts = {summary->read, summary->accepted, summary->rejected};
    if (summary->rejected > 0) {
      std::istringstream lines(read_text_file(rejects.path()));
      for (std::string line; std::getline(lines, line);) {
        if (!line.empty()) batch.reject_lines.push_back(std::move(line));
      }
    }
    return batch;
  }

  std::optional<std::string> field_problem(std::string_view name) const override {
    const std::string quoted = "'" + std::string(name) + "'";
    const legacy::LayoutNode* node = layout_->find(name);
    if (node == nullptr) return quoted + " is not a field of the copybook " + source_.copybook.filename().string();
    if (node->is_filler) return quoted + " is FILLER, which holds no value";
    if (is_repeating_group(node)) return std::nullopt;  // mapped as a list field
    if (inside_table(node)) {
      return quoted + " repeats (inside an OCCURS table): map the table as a list field, with this item among its items";
    }
    if (node->is_group) return quoted + " is a group, not an elementary field";
    return std::nullopt;
  }

  std::optional<std::string> item_problem(std::string_view list, std::string_view item) const override {
    const legacy::LayoutNode* table = layout_->find(list);
    if (!is_repeating_group(table)) {
      return "'" + std::string(list) + "' is not a repeating group (OCCURS) outside any other";
    }
    const legacy::LayoutNode* node = find_within(*table, item);
    const std::string quoted = "'" + std::string(item) + "'";
    if (node == nullptr) return quoted + " is not an item of the repeating group '" + std::string(list) + "'";
    if (node->is_filler) return quoted + " is FILLER, which holds no value";
    for (const legacy::LayoutNode* up = node; up != table; up = up->parent) {
      if (up->is_table) return quoted + " repeats within each occurrence (a nested OCCURS): lists do not nest";
    }
    if (node->is_group) return quoted + " is a group, not an elementary field";
    return std::nullopt;
  }
  ErrorPolicy policy() const override { return source_.on_error; }

 private:
  SourceConfig source_;
  std::unique_ptr<legacy::CopybookLayout> layout_;
  std::vector<const legacy::LayoutNode*> items_;
  std::vector<const legacy::LayoutNode*> tables_;
};

adapters::Value decimal_value(const legacy::LayoutNode& node, legacy::Int128 unscaled, int scale) {
  if (scale < 0) {
    // Trailing P positions: 12 with scale -2 is 1200. The layout bounds digits to 38.
    unscaled *= legacy::power_of_ten(-scale);
    scale = 0;
  }
  if (node.json_number && scale == 0) {
    // At most 15 digits: fits an int64.
    return static_cast<std::int64_t>(unscaled);
  }
  adapters::Decimal decimal;
  decimal.negative = unscaled < 0;
  legacy::UnsignedInt128 magnitude = decimal.negative ? static_cast<legacy::UnsignedInt128>(-(unscaled + 1)) + 1
                                                      : static_cast<legacy::UnsignedInt128>(unscaled);
  std::string digits;
  do {
    digits.push_back(static_cast<char>('0' + static_cast<int>(magnitude % 10)));
    magnitude /= 10;
  } while (magnitude != 0);
  while (digits.size() < static_cast<std::size_t>(scale) + 1) digits.push_back('0');
  std::reverse(digits.begin(), digits.end());
  if (decimal.negative && digits.find_first_not_of('0') == std::string::npos) decimal.negative = false;
  decimal.digits = std::move(digits);
  decimal.scale = scale;
  return decimal;
}

}  // namespace

std::unique_ptr<FileCodec> open_file_codec(const SourceConfig& source, const std::vector<std::string>& wanted) {
  switch (source.type) {
    case SourceType::copybook: return std::make_unique<CopybookCodec>(source, wanted);
    case SourceType::csv: return std::make_unique<CsvCodec>(adapters::csv::load_csv_schema(source.schema));
    case SourceType::xml: return std::make_unique<XmlCodec>(adapters::xml::load_xml_schema(source.schema));
    case SourceType::sql:
    case SourceType::odbc: break;
  }
  throw ConfigError(source.schema, source.line, "a database source is not a file codec");
}

namespace {

adapters::Value value_of(const legacy::RecordEntry& entry, const legacy::Record& record) {
  switch (entry.value_kind) {
    case legacy::ValueKind::null: return adapters::Null{};
    case legacy::ValueKind::text: return std::string(record.text(entry));
    case legacy::ValueKind::decimal: return decimal_value(*entry.node, entry.unscaled, entry.scale);
    case legacy::ValueKind::floating: {
      if (!std::isfinite(entry.floating)) return adapters::Null{};
      char buffer[32];
      const auto result = std::to_chars(buffer, buffer + sizeof buffer, entry.floating);
      return std::string(buffer, result.ptr);
    }
  }
  return adapters::Null{};
}

// The occurrences of the table that starts at entries[begin]; `begin` is left on its end.
adapters::List occurrences(const legacy::Record& record, std::size_t& begin) {
  const std::vector<legacy::RecordEntry>& entries = record.entries();
  const legacy::LayoutNode* table = entries[begin].node;
  adapters::List list;
  adapters::Record current;
  int nested = 0;
  for (++begin; begin < entries.size(); ++begin) {
    const legacy::RecordEntry& entry = entries[begin];
    if (entry.node == table && entry.kind == legacy::EntryKind::table_end) break;
    switch (entry.kind) {
      case legacy::EntryKind::table_begin: ++nested; break;
      case legacy::EntryKind::table_end: --nested; break;
      case legacy::EntryKind::group_begin:
        if (entry.node == table) current = adapters::Record{};
        break;
      case legacy::EntryKind::group_end:
        if (entry.node == table) list.items.push_back(std::move(current));
        break;
      case legacy::EntryKind::value:
        if (nested > 0) break;
        if (entry.node == table) {  // an elementary OCCURS: each value is one occurrence
          list.items.emplace_back(std::vector<adapters::Field>{{entry.node->name, value_of(entry, record)}});
        } else {
          current.add(entry.node->name, value_of(entry, record));
        }
        break;
    }
  }
  return list;
}

}  // namespace

adapters::Record to_canonical(const legacy::Record& record, const std::vector<const legacy::LayoutNode*>& items,
                              const std::vector<const legacy::LayoutNode*>& tables) {
  std::vector<adapters::Value> values(items.size() + tables.size());
  const std::vector<legacy::RecordEntry>& entries = record.entries();
  for (std::size_t i = 0; i < entries.size(); ++i) {
    const legacy::RecordEntry& entry = entries[i];
    if (entry.kind == legacy::EntryKind::table_begin) {
      const auto table = std::find(tables.begin(), tables.end(), entry.node);
      if (table != tables.end()) {
        values[items.size() + static_cast<std::size_t>(table - tables.begin())] = occurrences(record, i);
      }
      continue;
    }
    if (entry.kind != legacy::EntryKind::value) continue;
    const auto found = std::find(items.begin(), items.end(), entry.node);
    if (found != items.end()) values[static_cast<std::size_t>(found - items.begin())] = value_of(entry, record);
  }
  adapters::Record canonical;
  canonical.reserve(values.size());
  for (std::size_t i = 0; i < items.size(); ++i) canonical.add(items[i]->name, std::move(values[i]));
  for (std::size_t i = 0; i < tables.size(); ++i) canonical.add(tables[i]->name, std::move(values[items.size() + i]));
  return canonical;
}

std::string text_of(const adapters::Value& value) {
  if (const auto* text = std::get_if<std::string>(&value)) return *text;
  if (const auto* decimal = std::get_if<adapters::Decimal>(&value)) return decimal->to_string();
  if (const auto* integer = std::get_if<std::int64_t>(&value)) return std::to_string(*integer);
  if (const auto* date = std::get_if<adapters::Date>(&value)) return date->to_string();
  if (const auto* boolean = std::get_if<bool>(&value)) return *boolean ? "true" : "false";
  return {};
}

}  // namespace pse::connector
