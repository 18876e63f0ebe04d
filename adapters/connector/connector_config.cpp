#include "adapters/connector/connector_config.hpp"

#include "adapters/codepage/code_page.hpp"
#include "base/config_error.hpp"
#include "base/log.hpp"
#include "base/yaml_reader.hpp"
#include "policy/classification_reader.hpp"

#include <charconv>
#include <set>

namespace pse::connector {
namespace {

using adapters::ErrorPolicy;

/// The highest max_file_bytes accepted: the file is held in memory, with its decoded records.
constexpr std::uint64_t kMaxFileBytesLimit = 16ULL * 1024 * 1024 * 1024;

std::filesystem::path required_path(YamlMap& map, const std::filesystem::path& file, const std::string& key) {
  return resolve_relative_to(file, map.required_string(key));
}

legacy::FramingOptions read_framing(const YAML::Node& node, const std::filesystem::path& file) {
  YamlMap map(node, file, "framing");
  legacy::FramingOptions framing;
  const std::string format = map.string_or("format", "fixed");
  if (format == "fixed") {
    framing.format = legacy::RecordFormat::fixed;
  } else if (format == "variable") {
    framing.format = legacy::RecordFormat::variable;
  } else if (format == "text") {
    framing.format = legacy::RecordFormat::text;
  } else {
    map.fail_key("format", "must be fixed, variable or text, got '" + format + "'");
  }
  framing.record_length =
      static_cast<std::size_t>(map.integer_or("record_length", 0, 1, static_cast<std::int64_t>(legacy::max_record_size)));
  if (map.has("record_length") && framing.format != legacy::RecordFormat::fixed) {
    map.fail_key("record_length", "applies to the fixed format only");
  }
  const std::string order = map.string_or("rdw_byte_order", "big_endian");
  if (order == "big_endian") {
    framing.rdw_byte_order = legacy::ByteOrder::big_endian;
  } else if (order == "little_endian") {
    framing.rdw_byte_order = legacy::ByteOrder::little_endian;
  } else {
    map.fail_key("rdw_byte_order", "must be big_endian or little_endian, got '" + order + "'");
  }
  framing.rdw_counts_itself = map.boolean_or("rdw_counts_itself", true);
  framing.block_descriptors = map.boolean_or("block_descriptors", false);
  framing.max_record_length = static_cast<std::size_t>(
      map.integer_or("max_record_length", 32760, 1, static_cast<std::int64_t>(legacy::max_record_size)));
  map.finish();
  return framing;
}

/// `serving`: the source of a served category (it names its data file); otherwise a batch
/// source, whose files come from the drop folder.
SourceConfig read_source(const YAML::Node& node, const std::filesystem::path& file, bool serving) {
  YamlMap map(node, file, "source");
  // Errors about a value point at its own line (fail_key would give the mapping's).
  auto bad = [&](const char* key, const std::string& reason) { map.fail(node[key], std::string("source.") + key + " " + reason); };
  SourceConfig source;
  source.line = line_of(node);
  const std::string type = map.required_string("type");
  if (type == "copybook") {
    source.type = SourceType::copybook;
  } else if (type == "csv") {
    source.type = SourceType::csv;
  } else if (type == "xml") {
    source.type = SourceType::xml;
  } else if (type == "sql") {
    source.type = SourceType::sql;
  } else if (type == "odbc") {
    source.type = SourceType::odbc;
  } else {
    bad("type", "must be copybook, csv, xml, sql or odbc, got '" + type + "'");
  }
  if (source.type == SourceType::sql || source.type == SourceType::odbc) {
    if (!serving) bad("type", type + " sources can be served, not watched in a drop folder");
    source.schema = required_path(map, file, "schema");
    map.finish();
    return source;
  }
  source.key = map.required_string("key");
  if (serving) {
    source.data = required_path(map, file, "data");
    if (auto rejects = map.optional_string("rejects")) {
      source.rejects = resolve_relative_to(file, *rejects);
    } else {
      source.rejects = source.data;
      source.rejects += ".rejects.jsonl";
    }
  }
  if (source.type == SourceType::copybook) {
    source.copybook = required_path(map, file, "copybook");
    const std::string page = map.string_or("code_page", "cp037");
    const auto code_page = legacy::code_page_from_name(page);
    if (!code_page) bad("code_page", "is not a known code page: '" + page + "'");
    source.copybook_options.code_page = *code_page;
    const std::string format = map.string_or("copybook_format", "fixed");
    if (format == "fixed") {
      source.copybook_options.format = legacy::CopybookFormat::fixed;
    } else if (format == "free") {
      source.copybook_options.format = legacy::CopybookFormat::free;
    } else {
      bad("copybook_format", "must be fixed or free, got '" + format + "'");
    }
    if (auto framing = map.optional_node("framing")) source.framing = read_framing(*framing, file);
    source.pad_short_records = map.boolean_or("pad_short_records", false);
    source.on_error = adapters::read_error_policy(map);
  } else {
    // CSV and XML keep their error policy in their schema, with the rest of the format.
    source.schema = required_path(map, file, "schema");
  }
  map.finish();
  return source;
}

std::vector<FieldMapping> read_fields(const YAML::Node& node, const std::filesystem::path& file,
                                      const policy::Category& category, const std::string& list = "");

// One mapping: {name, from[, type…]}, or a list field {name, from: <OCCURS group>, items: [...]}.
// `list`: the list field whose items are being read (empty at the top level).
FieldMapping read_mapping(const YAML::Node& item, const std::filesystem::path& file, const policy::Category& category,
                          const std::string& list) {
  YamlMap map(item, file, list.empty() ? "field" : "item of '" + list + "'");
  FieldMapping mapping;
  mapping.line = line_of(item);
  if (map.has("type")) {
    adapters::FieldSpec spec = adapters::read_field_spec(map, adapters::FieldSpec{});
    mapping.target = spec.name;
    mapping.retype = std::move(spec);
  } else {
    mapping.target = map.required_string("name");
  }
  mapping.source = map.string_or("from", mapping.target);
  const std::string classified = list.empty() ? mapping.target : list + "." + mapping.target;
  if (map.has("items")) {
    if (!list.empty()) throw ConfigError(file, mapping.line, "a list field cannot hold another list");
    if (mapping.retype) throw ConfigError(file, mapping.line, "a list field has no type: its items do");
    if (category.sub_fields(mapping.target).empty()) {
      throw ConfigError(file, mapping.line, "'" + mapping.target + "' is not a list field of category " + category.id);
    }
    mapping.items = read_fields(map.required_node("items"), file, category, mapping.target);
  } else if (category.find_field(classified) == nullptr) {
    const std::string hint = category.sub_fields(classified).empty() ? "" : " (a list field: map it with items)";
    throw ConfigError(file, mapping.line,
                      "'" + classified + "' is not a field of category " + category.id + " in the classification" + hint);
  }
  map.finish();
  return mapping;
}

std::vector<FieldMapping> read_fields(const YAML::Node& node, const std::filesystem::path& file,
                                      const policy::Category& category, const std::string& list) {
  if (!node.IsSequence() || node.size() == 0) {
    throw ConfigError(file, line_of(node), std::string(list.empty() ? "fields" : "items") +
                                               " must be a non-empty list of {name, from}");
  }
  std::vector<FieldMapping> fields;
  std::set<std::string> targets;
  for (const auto& item : node) {
    FieldMapping mapping = read_mapping(item, file, category, list);
    if (!targets.insert(mapping.target).second) {
      throw ConfigError(file, mapping.line, "field '" + mapping.target + "' is mapped twice");
    }
    fields.push_back(std::move(mapping));
  }
  return fields;
}

// {name, to[, format]} or a list field {name, to: <OCCURS group>, items: [...]}.
std::vector<OutputField> read_output_fields(const YAML::Node& node, const std::filesystem::path& file,
                                            const policy::Category& category, const std::string& list = "") {
  if (!node.IsSequence() || node.size() == 0) {
    throw ConfigError(file, line_of(node), std::string(list.empty() ? "fields" : "items") + " must be a non-empty list of {name, to}");
  }
  std::vector<OutputField> fields;
  std::set<std::string> names;
  for (const auto& item : node) {
    YamlMap map(item, file, list.empty() ? "field" : "item of '" + list + "'");
    OutputField field;
    field.line = line_of(item);
    field.field = map.required_string("name");
    field.legacy = map.required_string("to");
    field.date_format = map.string_or("format", "");
    const std::string classified = list.empty() ? field.field : list + "." + field.field;
    if (map.has("items")) {
      if (!list.empty()) throw ConfigError(file, field.line, "a list field cannot hold another list");
      if (category.sub_fields(field.field).empty()) {
        throw ConfigError(file, field.line, "'" + field.field + "' is not a list field of category " + category.id);
      }
      field.items = read_output_fields(map.required_node("items"), file, category, field.field);
    } else if (category.find_field(classified) == nullptr) {
      throw ConfigError(file, field.line, "'" + classified + "' is not a field of category " + category.id + " in the classification");
    }
    map.finish();
    if (!names.insert(field.field).second) throw ConfigError(file, field.line, "field '" + field.field + "' is written twice");
    fields.push_back(std::move(field));
  }
  return fields;
}

// Where a file target writes, and when it rolls its file.
void read_roll(YamlMap& target, const YAML::Node& node, const std::filesystem::path& file, const char* extension,
               RollSettings& roll) {
  roll.folder = required_path(target, file, "folder");
  roll.prefix = target.required_string("prefix");
  if (roll.prefix.empty() || roll.prefix.find('/') != std::string::npos || roll.prefix.starts_with(".")) {
    target.fail(node["prefix"], "target.prefix must be a file name prefix, without '/'");
  }
  roll.extension = target.string_or("extension", extension);
  roll.max_records = static_cast<std::uint64_t>(target.integer_or("max_records", 10000, 1, 100'000'000));
  roll.max_bytes = static_cast<std::uint64_t>(target.integer_or("max_bytes", 64LL * 1024 * 1024, 1, 1LL << 40));
  roll.max_age = std::chrono::seconds(target.integer_or("max_age_s", 300, 1, 7 * 24 * 3600));
}

DeliverConfig read_deliver(const YAML::Node& node, const std::filesystem::path& file,
                           const policy::Classification& classification) {
  YamlMap map(node, file, "deliver entry");
  DeliverConfig entry;
  entry.file = file;
  entry.line = line_of(node);
  entry.category = map.required_string("category");
  const policy::Category* category = classification.find(entry.category);
  if (category == nullptr) map.fail(node["category"], "category '" + entry.category + "' is not in the classification");
  entry.purpose = map.required_string("purpose");
  entry.key = map.required_string("key");
  entry.key_line = line_of(node["key"]);
  {
    const YAML::Node target_node = map.required_node("target");
    YamlMap target(target_node, file, "target");
    const std::string type = target.required_string("type");
    if (type == "copybook") {
      entry.type = TargetType::copybook;
      entry.copybook = required_path(target, file, "copybook");
      const std::string page = target.string_or("code_page", "cp037");
      const auto code_page = legacy::code_page_from_name(page);
      if (!code_page) target.fail(target_node["code_page"], "target.code_page is not a known code page: '" + page + "'");
      entry.copybook_options.code_page = *code_page;
      if (auto framing = target.optional_node("framing")) entry.framing = read_framing(*framing, file);
      read_roll(target, target_node, file, ".dat", entry.roll);
    } else if (type == "csv") {
      entry.type = TargetType::csv;
      const std::string delimiter = target.string_or("delimiter", ",");
      if (delimiter.size() != 1 || delimiter == "\"" || delimiter == "\r" || delimiter == "\n") {
        target.fail(target_node["delimiter"], "target.delimiter must be one character other than a quote or a line end");
      }
      entry.delimiter = delimiter[0];
      read_roll(target, target_node, file, ".csv", entry.roll);
    } else if (type == "odbc") {
      entry.type = TargetType::odbc;
      entry.schema = required_path(target, file, "schema");
    } else {
      target.fail(target_node["type"], "target.type must be copybook, csv or odbc, got '" + type + "'");
    }
    target.finish();
  }
  entry.fields = read_output_fields(map.required_node("fields"), file, *category);
  map.finish();
  return entry;
}

const policy::Category& find_category(const policy::Classification& classification, YamlMap& map,
                                      const std::string& id, const YAML::Node& at) {
  const policy::Category* category = classification.find(id);
  if (category == nullptr) map.fail(at, "category '" + id + "' is not in the classification");
  return *category;
}

std::chrono::milliseconds read_ms(YamlMap& map, const std::string& key, std::int64_t fallback) {
  return std::chrono::milliseconds(map.integer_or(key, fallback, 10, 24LL * 3600 * 1000));
}

}  // namespace

std::string_view to_string(SourceType type) noexcept {
  switch (type) {
    case SourceType::copybook: return "copybook";
    case SourceType::csv: return "csv";
    case SourceType::xml: return "xml";
    case SourceType::sql: return "sql";
    case SourceType::odbc: return "odbc";
  }
  return "?";
}

std::optional<BrokerAddress> parse_broker_address(std::string_view text) {
  std::string_view host = text;
  std::string_view port;
  if (!text.empty() && text.front() == '[') {  // [IPv6]:port
    const auto close = text.find(']');
    if (close == std::string_view::npos) return std::nullopt;
    host = text.substr(1, close - 1);
    const std::string_view rest = text.substr(close + 1);
    if (!rest.empty() && (rest.front() != ':' || rest.size() == 1)) return std::nullopt;
    if (!rest.empty()) port = rest.substr(1);
  } else if (const auto colon = text.rfind(':'); colon != std::string_view::npos) {
    if (text.find(':') != colon) return std::nullopt;  // a bare IPv6 address needs its brackets
    host = text.substr(0, colon);
    port = text.substr(colon + 1);
  }
  BrokerAddress address{std::string(host), 8443};
  if (address.host.empty()) return std::nullopt;
  if (!port.empty()) {
    unsigned value = 0;
    const auto [end, error] = std::from_chars(port.data(), port.data() + port.size(), value);
    if (error != std::errc() || end != port.data() + port.size() || value < 1 || value > 65535) return std::nullopt;
    address.port = static_cast<std::uint16_t>(value);
  }
  return address;
}

ConnectorConfig load_connector_config(const std::filesystem::path& file) {
  const YAML::Node root = load_yaml_file(file);
  YamlMap top(root, file, "connector configuration");
  ConnectorConfig config;
  config.file = file;

  {
    YamlMap broker(top.required_node("broker"), file, "broker");
    if (broker.has("brokers")) {
      if (broker.has("host") || broker.has("port")) broker.fail_key("brokers", "cannot be given with host and port");
      for (const std::string& address : broker.string_list("brokers")) {
        auto parsed = parse_broker_address(address);
        if (!parsed) broker.fail_key("brokers", "holds '" + address + "', which is not host:port (a port from 1 to 65535)");
        config.broker.brokers.push_back(std::move(*parsed));
      }
      if (config.broker.brokers.empty()) broker.fail_key("brokers", "must list at least one broker");
      config.broker.host = config.broker.brokers.front().host;
      config.broker.port = config.broker.brokers.front().port;
    } else {
      config.broker.host = broker.required_string("host");
      config.broker.port = static_cast<std::uint16_t>(broker.integer_or("port", 8443, 1, 65535));
    }
    config.broker.server_name = broker.string_or("server_name", "");
    config.broker.request_timeout = std::chrono::milliseconds(broker.integer_or("request_timeout_ms", 15000, 100, 600000));
    config.broker.connect_timeout = std::chrono::milliseconds(broker.integer_or("connect_timeout_ms", 5000, 100, 600000));
    broker.finish();
  }
  {
    YamlMap tls(top.required_node("tls"), file, "tls");
    config.broker.ca_file = required_path(tls, file, "ca");
    config.broker.certificate_file = required_path(tls, file, "cert");
    config.broker.key_file = required_path(tls, file, "key");
    // The body's Ed25519 signing key, for categories whose integrity rating requires signed records.
    if (tls.has("signing_key")) config.broker.signing_key_file = required_path(tls, file, "signing_key");
    tls.finish();
  }
  config.classification = resolve_relative_to(file, top.string_or("classification", "../classification.yaml"));
  config.log_level = top.string_or("log_level", "info");
  if (log::Level ignored{}; !log::parse_level(config.log_level, ignored)) {
    top.fail_key("log_level", "must be debug, info, warn or error, got '" + config.log_level + "'");
  }

  config.reload_interval = std::chrono::milliseconds(top.integer_or("reload_interval_ms", 2000, 0, 24LL * 3600 * 1000));

  std::vector<ConfigError> errors;
  const policy::Classification classification = policy::read_classification(config.classification, nullptr, errors);
  if (!errors.empty()) throw errors.front();

  std::set<std::string> served;
  if (auto serve = top.optional_node("serve")) {
    if (!serve->IsSequence()) top.fail(*serve, "serve must be a list");
    for (const auto& item : *serve) {
      YamlMap map(item, file, "serve entry");
      ServeConfig entry;
      entry.line = line_of(item);
      entry.category = map.required_string("category");
      const policy::Category& category = find_category(classification, map, entry.category, item["category"]);
      if (!served.insert(entry.category).second) map.fail(item["category"], "category '" + entry.category + "' is served twice");
      entry.source = read_source(map.required_node("source"), file, /*serving=*/true);
      entry.fields = read_fields(map.required_node("fields"), file, category);
      map.finish();
      config.serve.push_back(std::move(entry));
    }
  }
  std::set<std::filesystem::path> folders;
  if (auto batch = top.optional_node("batch")) {
    if (!batch->IsSequence()) top.fail(*batch, "batch must be a list");
    for (const auto& item : *batch) {
      YamlMap map(item, file, "batch entry");
      BatchConfig entry;
      entry.line = line_of(item);
      entry.category = map.required_string("category");
      const policy::Category& category = find_category(classification, map, entry.category, item["category"]);
      entry.folder = required_path(map, file, "folder");
      if (!folders.insert(entry.folder).second) map.fail(item["folder"], "folder is watched twice");
      const std::string completion = map.string_or("completion", "done_marker");
      if (completion == "done_marker") {
        entry.completion = Completion::done_marker;
      } else if (completion == "stable_size") {
        entry.completion = Completion::stable_size;
      } else {
        map.fail_key("completion", "must be done_marker or stable_size, got '" + completion + "'");
      }
      entry.stable_for = read_ms(map, "stable_for_ms", 2000);
      entry.poll_interval = read_ms(map, "poll_interval_ms", 1000);
      entry.max_file_bytes = static_cast<std::uint64_t>(map.integer_or(
          "max_file_bytes", static_cast<std::int64_t>(kDefaultMaxFileBytes), 1, static_cast<std::int64_t>(kMaxFileBytesLimit)));
      entry.source = read_source(map.required_node("source"), file, /*serving=*/false);
      entry.fields = read_fields(map.required_node("fields"), file, category);
      map.finish();
      config.batch.push_back(std::move(entry));
    }
  }
  if (auto deliver = top.optional_node("deliver")) {
    if (!deliver->IsSequence()) top.fail(*deliver, "deliver must be a list");
    for (const auto& item : *deliver) {
      DeliverConfig entry = read_deliver(item, file, classification);
      if (entry.type != TargetType::odbc && !folders.insert(entry.roll.folder / entry.roll.prefix).second) {
        throw ConfigError(file, entry.line, "two deliver entries write the same files");
      }
      config.deliver.push_back(std::move(entry));
    }
  }
  top.finish();
  if (config.serve.empty() && config.batch.empty() && config.deliver.empty()) {
    throw ConfigError(file, 0, "nothing to do: neither serve, batch nor deliver is configured");
  }
  return config;
}

}  // namespace pse::connector
