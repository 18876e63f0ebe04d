#include "adapters/sql/odbc_target.hpp"

#include "base/utc_time.hpp"
#include "base/yaml_reader.hpp"

namespace pse::adapters::sql {
namespace {

bool is_identifier(std::string_view name) {
  if (name.empty() || name.size() > 64 || (name[0] >= '0' && name[0] <= '9')) return false;
  for (const char c : name) {
    if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_')) return false;
  }
  return true;
}

std::string state_of(const OdbcFailure& failure) { return failure.state.empty() ? "no SQLSTATE" : "SQLSTATE " + failure.state; }

}  // namespace

bool is_sql_name(std::string_view name) {
  const std::size_t dot = name.find('.');
  if (dot == std::string_view::npos) return is_identifier(name);
  return is_identifier(name.substr(0, dot)) && is_identifier(name.substr(dot + 1));
}

OdbcTargetConfig load_odbc_target_config(const std::filesystem::path& file) {
  const YAML::Node root = load_yaml_file(file);
  YamlMap map(root, file, "odbc target");
  OdbcTargetConfig config;
  static_cast<OdbcConnectionSettings&>(config) = read_connection_settings(map, file);
  config.table = map.required_string("table");
  config.key_column = map.required_string("key_column");
  config.ledger_table = map.string_or("ledger_table", "pse_deliveries");
  auto check = [&map](const char* key, const std::string& value, bool with_schema) {
    if (!is_sql_name(value) || (!with_schema && value.find('.') != std::string::npos)) {
      map.fail_key(key, "must be a plain SQL name (letters, digits, '_'), got '" + value + "'");
    }
  };
  check("table", config.table, true);
  check("key_column", config.key_column, false);
  check("ledger_table", config.ledger_table, true);
  map.finish();
  return config;
}

OdbcTarget::OdbcTarget(OdbcTargetConfig config, std::vector<std::string> columns)
    : config_(std::move(config)), columns_(std::move(columns)) {
  ledger_insert_ = "INSERT INTO " + config_.ledger_table + " (event_id, delivered_at) VALUES (?, ?)";
  update_ = "UPDATE " + config_.table + " SET ";
  insert_ = "INSERT INTO " + config_.table + " (" + config_.key_column;
  std::string marks = "?";
  for (std::size_t i = 0; i < columns_.size(); ++i) {
    update_ += (i > 0 ? ", " : "") + columns_[i] + " = ?";
    insert_ += ", " + columns_[i];
    marks += ", ?";
  }
  update_ += " WHERE " + config_.key_column + " = ?";
  insert_ += ") VALUES (" + marks + ")";
}

pse::Result<std::unique_ptr<OdbcTarget>> OdbcTarget::open(const OdbcTargetConfig& config, std::vector<std::string> columns) {
  for (const auto& column : columns) {
    if (!is_identifier(column)) {
      return pse::make_error(Reason::malformed_request, "'" + column + "' is not a plain SQL column name");
    }
  }
  std::unique_ptr<OdbcTarget> target(new OdbcTarget(config, std::move(columns)));
  if (auto failure = target->connect()) return *failure;
  return target;
}

// Connects, learns each column's type from the table itself (so that the driver converts the
// text of each value to it, a date or a decimal, as the database expects), checks the ledger
// table, and prepares the ledger lookup.
std::optional<pse::Error> OdbcTarget::connect() {
  if (auto failure = connection_.open(config_.connection_string(), config_.login_timeout, /*read_only=*/false)) {
    return pse::make_error(Reason::provider_unavailable,
                           config_.name + ": cannot connect: [" + failure->state + "] " + failure->message);
  }
  auto refused = [this](const std::string& what, const std::optional<OdbcFailure>& failure) {
    connection_.close();
    return pse::make_error(Reason::malformed_request,
                           config_.name + ": " + what + (failure ? " ([" + failure->state + "] " + failure->message + ")" : ""));
  };
  std::string probe = "SELECT " + config_.key_column;
  for (const auto& column : columns_) probe += ", " + column;
  probe += " FROM " + config_.table + " WHERE 1 = 0";
  std::vector<OdbcColumn> described;
  auto failure = connection_.prepare(probe, config_.query_timeout);
  if (!failure) failure = connection_.columns(described);
  (void)connection_.end_read();
  if (failure || described.size() != columns_.size() + 1) {
    return refused("the table " + config_.table + " or one of its columns cannot be read", failure);
  }
  column_types_.clear();
  for (const auto& column : described) column_types_.push_back(column.sql_type);
  failure = connection_.prepare("SELECT event_id FROM " + config_.ledger_table + " WHERE event_id = ?", config_.query_timeout);
  std::vector<OdbcColumn> ledger;
  if (!failure) failure = connection_.columns(ledger);
  (void)connection_.end_read();
  if (failure) {
    return refused("the ledger table " + config_.ledger_table + " cannot be read; create it: CREATE TABLE " +
                       config_.ledger_table + " (event_id VARCHAR(200) PRIMARY KEY, delivered_at VARCHAR(40) NOT NULL)",
                   failure);
  }
  return std::nullopt;
}

pse::Status OdbcTarget::write(std::string_view event_id, std::string_view key,
                              const std::vector<std::optional<std::string>>& values) {
  std::lock_guard lock(mutex_);
  // A connection lost since the last write is opened again once.
  for (int attempt = 0; attempt < 2; ++attempt) {
    const bool was_open = connection_.is_open();
    if (!was_open) {
      if (auto failure = connect()) return *failure;
    }
    std::optional<OdbcFailure> failure;
    pse::Status written = write_once(event_id, key, values, failure);
    if (!failure || !failure->connection_lost || !was_open) return written;
    connection_.close();
  }
  return pse::make_error(Reason::provider_unavailable, config_.name + ": the write failed");
}

pse::Status OdbcTarget::write_once(std::string_view event_id, std::string_view key,
                                   const std::vector<std::optional<std::string>>& values,
                                   std::optional<OdbcFailure>& failure) {
  // Database messages may quote a value: the error names the SQLSTATE only.
  auto failed = [&](OdbcFailure what, std::string_view step) -> pse::Error {
    (void)connection_.rollback();
    const std::string state = state_of(what);
    if (what.connection_lost) connection_.close();
    failure = std::move(what);
    return pse::make_error(Reason::provider_unavailable, config_.name + ": " + std::string(step) + " failed (" + state + ")");
  };
  // Written before? (Asked first: drivers do not agree on the SQLSTATE of a duplicate key.)
  if (auto problem = connection_.execute(event_id)) return failed(std::move(*problem), "reading the ledger");
  const FetchResult seen = connection_.fetch();
  if (seen == FetchResult::failed) return failed(connection_.statement_failure(), "reading the ledger");
  (void)connection_.end_read();
  if (seen == FetchResult::row) return pse::Done{};
  const std::string now = format_utc(std::chrono::time_point_cast<std::chrono::microseconds>(std::chrono::system_clock::now()));
  if (auto refused = connection_.run(ledger_insert_, {{std::string(event_id), -9}, {now, -9}})) {
    if (refused->state.starts_with("23")) {  // written meanwhile by another connection
      (void)connection_.rollback();
      return pse::Done{};
    }
    return failed(std::move(*refused), "recording the event id");
  }
  std::vector<OdbcParameter> parameters;
  for (std::size_t i = 0; i < values.size(); ++i) parameters.push_back({values[i], column_types_[i + 1]});
  parameters.push_back({std::string(key), column_types_[0]});
  std::int64_t updated = 0;
  if (auto problem = connection_.run(update_, parameters, &updated)) return failed(std::move(*problem), "the update");
  if (updated == 0) {
    parameters.pop_back();
    parameters.insert(parameters.begin(), OdbcParameter{std::string(key), column_types_[0]});
    if (auto problem = connection_.run(insert_, parameters)) return failed(std::move(*problem), "the insert");
  }
  if (auto problem = connection_.commit()) return failed(std::move(*problem), "the commit");
  return pse::Done{};
}

}  // namespace pse::adapters::sql
