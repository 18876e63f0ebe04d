#include "adapters/sql/odbc_source.hpp"

#include "adapters/sql/sql_text.hpp"
#include "base/config_error.hpp"

#include <sql.h>
#include <sqlext.h>

#include <algorithm>
#include <cctype>

namespace pse::adapters::sql {
namespace {

// Larger values are refused rather than carried: no legacy field needs more.
constexpr std::size_t kMaxValueBytes = 64 * 1024;
// After a failed connection attempt, lookups fail at once for this long.
constexpr std::chrono::seconds kReconnectPause{1};

pse::Error refused(std::string message) { return pse::make_error(Reason::malformed_request, std::move(message)); }

bool same_name(std::string_view a, std::string_view b, bool ignore_case) {
  if (!ignore_case) return a == b;
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](unsigned char x, unsigned char y) {
           return std::tolower(x) == std::tolower(y);
         });
}

bool is_binary(short type) { return type == SQL_BINARY || type == SQL_VARBINARY || type == SQL_LONGVARBINARY; }
bool is_floating(short type) { return type == SQL_FLOAT || type == SQL_REAL || type == SQL_DOUBLE; }

std::string with_state(const OdbcFailure& failure) {
  return failure.state.empty() ? failure.message : "[" + failure.state + "] " + failure.message;
}

}  // namespace

OdbcSource::OdbcSource(OdbcSourceConfig config) : config_(std::move(config)) {
  for (std::size_t i = 0; i < config_.connections; ++i) {
    pool_.push_back(std::make_unique<OdbcConnection>());
    idle_.push_back(pool_.back().get());
  }
}

pse::Result<std::unique_ptr<OdbcSource>> OdbcSource::open(const OdbcSourceConfig& config) {
  if (!starts_as_select(config.query)) return refused("query must be a single SELECT");
  const int marks = question_marks_in_single_statement(config.query);
  if (marks < 0) return refused("query must be a single statement, with its quotes and comments closed");
  if (marks != 1) return refused("query must have exactly one parameter, written ?");

  std::unique_ptr<OdbcSource> source(new OdbcSource(config));
  OdbcConnection& first = *source->pool_.front();
  if (auto failure = first.open(config.connection_string(), config.login_timeout)) {
    return source->unavailable(*failure, "cannot connect");
  }
  if (auto failure = first.prepare(config.query, config.query_timeout)) {
    return refused("query refused by the database: " + with_state(*failure));
  }
  int parameters = 0;
  if (auto failure = first.parameter_count(parameters)) return refused("query refused by the database: " + with_state(*failure));
  if (parameters != 1) return refused("query must have exactly one parameter, written ?");
  std::vector<OdbcColumn> columns;
  // Drivers that prepare on the client (psqlODBC) first meet the database here.
  if (auto failure = first.columns(columns)) return refused("query refused by the database: " + with_state(*failure));
  if (columns.empty()) return refused("query must be a single SELECT");
  for (const auto& field : config.fields) {
    // An exact match first; databases that fold unquoted names (PostgreSQL to lower case,
    // DB2 and Oracle to upper) are then matched whatever the case written in the YAML.
    int found = -1;
    for (const bool ignore_case : {false, true}) {
      for (std::size_t column = 0; column < columns.size() && found < 0; ++column) {
        if (same_name(columns[column].name, field.column, ignore_case)) found = static_cast<int>(column);
      }
      if (found >= 0) break;
    }
    if (found < 0) return refused("query returns no column named '" + field.column + "' (field '" + field.spec.name + "')");
    const short type = columns[static_cast<std::size_t>(found)].sql_type;
    if (is_binary(type)) return refused("column '" + field.column + "' is binary, which maps to no field type");
    if (is_floating(type) && field.spec.type == FieldType::decimal) {
      // Binary floating point cannot hold 0.10 exactly; money must stay exact end to end.
      return refused("column '" + field.column + "' is floating-point; a decimal field needs an exact NUMERIC/DECIMAL column");
    }
    source->column_of_field_.push_back(found);
  }
  if (auto failure = first.end_read()) return source->unavailable(*failure, "cannot end the first read");
  return source;
}

std::size_t OdbcSource::open_connections() {
  std::lock_guard lock(mutex_);
  return static_cast<std::size_t>(
      std::count_if(pool_.begin(), pool_.end(), [](const auto& connection) { return connection->is_open(); }));
}

pse::Error OdbcSource::unavailable(const OdbcFailure& failure, std::string_view what) const {
  return pse::make_error(Reason::provider_unavailable, config_.name + ": " + std::string(what) + ": " + with_state(failure));
}

OdbcConnection* OdbcSource::acquire() {
  std::unique_lock lock(mutex_);
  if (!released_.wait_for(lock, config_.query_timeout, [this] { return !idle_.empty(); })) return nullptr;
  OdbcConnection* connection = idle_.back();
  idle_.pop_back();
  return connection;
}

void OdbcSource::release(OdbcConnection* connection) {
  {
    std::lock_guard lock(mutex_);
    idle_.push_back(connection);
  }
  released_.notify_one();
}

std::optional<OdbcFailure> OdbcSource::connect(OdbcConnection& connection) {
  {
    std::lock_guard lock(mutex_);
    if (std::chrono::steady_clock::now() < unreachable_until_) return last_connect_failure_;
  }
  auto failure = connection.open(config_.connection_string(), config_.login_timeout);
  if (!failure) failure = connection.prepare(config_.query, config_.query_timeout);
  if (failure) {
    connection.close();
    std::lock_guard lock(mutex_);
    unreachable_until_ = std::chrono::steady_clock::now() + kReconnectPause;
    last_connect_failure_ = *failure;
  }
  return failure;
}

pse::Result<DecodeOutcome> OdbcSource::lookup(std::string_view key) {
  OdbcConnection* connection = acquire();
  if (connection == nullptr) {
    return pse::make_error(Reason::provider_unavailable, config_.name + ": all " + std::to_string(config_.connections) +
                                                             " connections stayed busy for " +
                                                             std::to_string(config_.query_timeout.count()) + " s");
  }
  struct Release {
    OdbcSource* source;
    OdbcConnection* connection;
    ~Release() { source->release(connection); }
  } release{this, connection};

  // A connection found lost is opened again once: a database restarted since this one was last
  // used costs no failed request.
  for (int attempt = 0; attempt < 2; ++attempt) {
    const bool was_open = connection->is_open();
    if (!was_open) {
      if (auto failure = connect(*connection)) return unavailable(*failure, "database unreachable");
    }
    std::optional<OdbcFailure> failure;
    auto outcome = run(*connection, key, failure);
    if (!failure) return outcome;
    if (failure->connection_lost) connection->close();
    if (!failure->connection_lost || !was_open) return outcome;
  }
  return pse::make_error(Reason::provider_unavailable, config_.name + ": lookup failed");
}

pse::Result<DecodeOutcome> OdbcSource::run(OdbcConnection& connection, std::string_view key,
                                           std::optional<OdbcFailure>& failure) {
  // Database messages may quote the key or a value: the error names the SQLSTATE only.
  auto failed = [&](OdbcFailure what) -> pse::Error {
    (void)connection.end_read();
    const std::string state = what.state.empty() ? "no SQLSTATE" : "SQLSTATE " + what.state;
    failure = std::move(what);
    return pse::make_error(Reason::provider_unavailable, config_.name + ": lookup failed (" + state + ")");
  };
  if (auto executed = connection.execute(key)) return failed(std::move(*executed));
  OutcomeBuilder builder(config_.on_error);
  std::uint64_t row = 0;
  bool go_on = true;
  while (go_on) {
    const FetchResult fetched = connection.fetch();
    if (fetched == FetchResult::done) break;
    if (fetched == FetchResult::failed) return failed(connection.statement_failure());
    if (++row > config_.max_rows) {
      (void)connection.end_read();
      return pse::make_error(Reason::malformed_request, "lookup returned more than " + std::to_string(config_.max_rows) +
                                                            " rows (max_rows)");
    }
    Record record;
    record.reserve(config_.fields.size());
    for (std::size_t i = 0; i < config_.fields.size() && go_on; ++i) {
      const SqlField& field = config_.fields[i];
      std::optional<std::string> text;
      std::string reason;
      if (auto bad = connection.text(column_of_field_[i], text, kMaxValueBytes)) {
        if (!bad->state.empty()) return failed(std::move(*bad));
        reason = "column '" + field.column + "': " + bad->message;
      }
      ParsedValue parsed;
      if (reason.empty()) {
        parsed = parse_field_value(text.value_or(""), field.spec);
        if (parsed.error != nullptr) {
          reason = parsed.error;
          if (text && !text->empty()) reason += ": '" + text->substr(0, 40) + "'";
        }
      }
      if (!reason.empty()) {
        go_on = builder.reject(bad_row_value(config_.name, row, field.spec.name, std::move(reason), key));
        record = Record{};
        break;
      }
      record.add(field.spec.name, std::move(parsed.value));
    }
    if (record.size() == config_.fields.size()) builder.accept(std::move(record));
  }
  if (auto ended = connection.end_read()) return failed(std::move(*ended));
  return std::move(builder).finish();
}

std::unique_ptr<OdbcSource> load_odbc_source(const std::filesystem::path& file) {
  const OdbcSourceConfig config = load_odbc_source_config(file);
  auto source = OdbcSource::open(config);
  if (!source) throw ConfigError(file, config.query_line, source.error().message);
  return std::move(source).value();
}

}  // namespace pse::adapters::sql
