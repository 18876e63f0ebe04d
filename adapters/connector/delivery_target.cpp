#include "adapters/connector/delivery_target.hpp"

#include "adapters/copybook/copybook_parser.hpp"
#include "adapters/framing/record_framer.hpp"
#include "base/config_error.hpp"

#include <boost/json/serialize.hpp>

#include <fstream>
#include <sstream>

namespace pse::connector {
namespace {

namespace json = boost::json;

std::string csv_field(char delimiter, std::string_view text) {
  if (text.find_first_of(std::string{delimiter, '"', '\r', '\n'}) == std::string_view::npos) return std::string(text);
  std::string quoted = "\"";
  for (const char c : text) {
    quoted += c;
    if (c == '"') quoted += '"';
  }
  return quoted + "\"";
}

std::string text_of(const json::value* value, const std::string& date_format) {
  if (value == nullptr || value->is_null()) return {};
  if (!value->is_string()) return json::serialize(*value);
  const std::string text(value->get_string());
  if (date_format.empty()) return text;
  return format_date(text, date_format).value_or(text);
}

std::shared_ptr<const legacy::CopybookLayout> load_layout(const DeliverConfig& config) {
  std::ifstream in(config.copybook, std::ios::binary);
  std::ostringstream text;
  text << in.rdbuf();
  if (text.str().empty()) throw ConfigError(config.copybook, 0, "cannot read the copybook, or it is empty");
  auto layout = legacy::parse_copybook(text.str(), config.copybook_options, config.copybook.filename().string());
  if (!layout) {
    throw ConfigError(config.copybook, static_cast<int>(layout.error().line),
                      std::string(legacy::to_string(layout.error().code)) + ": " + layout.error().message);
  }
  return std::make_shared<const legacy::CopybookLayout>(std::move(layout.value()));
}

}  // namespace

std::string csv_line(char delimiter, std::string_view subject, const json::object& record,
                     const std::vector<OutputField>& fields) {
  std::string line = csv_field(delimiter, subject);
  for (const OutputField& field : fields) {
    line += delimiter;
    line += csv_field(delimiter, text_of(record.if_contains(field.field), field.date_format));
  }
  return line + "\r\n";
}

DeliveryTarget::DeliveryTarget(const DeliverConfig& config) : config_(config) {
  RollSettings roll = config.roll;
  if (config.type != TargetType::copybook) {
    for (const OutputField& field : config.fields) {
      if (!field.items.empty()) {
        throw ConfigError(config.file, field.line,
                          "a CSV file or a table has no repeating groups: write list fields to a copybook target");
      }
    }
  }
  if (config.type == TargetType::odbc) {
    std::vector<std::string> columns;
    for (const OutputField& field : config.fields) columns.push_back(field.legacy);
    auto target_config = adapters::sql::load_odbc_target_config(config.schema);
    if (target_config.key_column != config.key) {
      throw ConfigError(config.file, config.key_line,
                        "key '" + config.key + "' is not the table's key_column '" + target_config.key_column + "'");
    }
    auto table = adapters::sql::OdbcTarget::open(target_config, std::move(columns));
    if (!table) throw ConfigError(config.schema, 0, table.error().message);
    table_ = std::move(table).value();
    return;
  }
  if (config.type == TargetType::copybook) {
    auto layout = load_layout(config);
    if (config_.framing.format == legacy::RecordFormat::fixed && layout->variable_size()) {
      throw ConfigError(config.file, config.line, "the copybook has OCCURS DEPENDING ON: write it with framing {format: variable}");
    }
    copybook_ = std::make_unique<CopybookWriter>(std::move(layout), config.key, config.fields, config.file, config.key_line);
  } else {
    std::string header = csv_field(config.delimiter, config.key);
    for (const OutputField& field : config.fields) header += config.delimiter + csv_field(config.delimiter, field.legacy);
    roll.header = header + "\r\n";
  }
  file_ = std::make_unique<RolledFile>(std::move(roll));
}

pse::Result<std::string> DeliveryTarget::record_bytes(const pse::Delivery& delivery) const {
  if (!copybook_) return csv_line(config_.delimiter, delivery.subject, delivery.record, config_.fields);
  auto bytes = copybook_->encode(delivery.subject, delivery.record);
  if (!bytes) return bytes.error();
  return legacy::frame_record(config_.framing, *bytes);
}

pse::Status DeliveryTarget::write(const pse::Delivery& delivery) {
  if (table_) {
    std::vector<std::optional<std::string>> values;
    for (const OutputField& field : config_.fields) {
      const json::value* value = delivery.record.if_contains(field.field);
      values.push_back(value == nullptr || value->is_null() ? std::nullopt
                                                            : std::optional<std::string>(text_of(value, field.date_format)));
    }
    return table_->write(delivery.event_id, delivery.subject, values);
  }
  auto bytes = record_bytes(delivery);
  if (!bytes) return bytes.error();
  return file_->append(delivery.event_id, *bytes);
}

}  // namespace pse::connector
