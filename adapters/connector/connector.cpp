#include "adapters/connector/connector.hpp"

#include "adapters/sql/odbc_source.hpp"
#include "adapters/sql/sql_source.hpp"
#include "base/config_error.hpp"
#include "base/log.hpp"

#include <fstream>
#include <stdexcept>

namespace pse::connector {
namespace {

namespace fs = std::filesystem;

/// Checks that the key and every mapped legacy field exist in the source; the error points at
/// the mapping's line in the connector file.
void check_fields(const FileCodec& codec, const SourceConfig& source, const std::vector<FieldMapping>& fields,
                  const fs::path& file) {
  if (auto problem = codec.field_problem(source.key)) throw ConfigError(file, source.line, "key " + *problem);
  for (const auto& mapping : fields) {
    if (auto problem = codec.field_problem(mapping.source)) throw ConfigError(file, mapping.line, *problem);
    for (const auto& item : mapping.items) {
      if (auto problem = codec.item_problem(mapping.source, item.source)) throw ConfigError(file, item.line, *problem);
    }
  }
}

void check_known(const std::vector<adapters::sql::SqlField>& columns, const std::vector<FieldMapping>& fields,
                 const fs::path& file, std::string_view kind) {
  for (const auto& mapping : fields) {
    const bool known = std::any_of(columns.begin(), columns.end(),
                                   [&](const auto& field) { return field.spec.name == mapping.source; });
    if (!known) throw ConfigError(file, mapping.line, "'" + mapping.source + "' is not a field of the " + std::string(kind) + " source");
  }
}

/// A SQLite or ODBC source, opened and checked, with its mapping.
std::unique_ptr<KeyLookup> open_key_lookup(const ServeConfig& entry, const fs::path& file) {
  std::unique_ptr<adapters::sql::KeyedSource> source;
  if (entry.source.type == SourceType::sql) {
    const auto config = adapters::sql::load_sql_source_config(entry.source.schema);
    check_known(config.fields, entry.fields, file, "SQL");
    source = std::make_unique<adapters::sql::SqlSource>(adapters::sql::load_sql_source(entry.source.schema));
  } else {
    const auto config = adapters::sql::load_odbc_source_config(entry.source.schema);
    check_known(config.fields, entry.fields, file, "ODBC");
    source = adapters::sql::load_odbc_source(entry.source.schema);
  }
  return std::make_unique<KeyLookup>(std::move(source), RecordMapper({}, entry.fields));
}

struct FileStamp {
  std::uintmax_t size = 0;
  fs::file_time_type modified;
  friend bool operator==(const FileStamp&, const FileStamp&) = default;
};

std::optional<FileStamp> stamp_of(const fs::path& file) {
  std::error_code error;
  FileStamp stamp;
  stamp.size = fs::file_size(file, error);
  if (error) return std::nullopt;
  stamp.modified = fs::last_write_time(file, error);
  if (error) return std::nullopt;
  return stamp;
}

}  // namespace

struct Connector::Served {
  const ServeConfig* config = nullptr;
  std::unique_ptr<FileCodec> codec;      // file sources
  std::unique_ptr<RecordMapper> mapper;  // file sources
  std::unique_ptr<KeyLookup> lookup;     // database sources
  mutable std::mutex mutex;
  std::shared_ptr<const RecordIndex> index;
  std::optional<FileStamp> stamp;

  std::shared_ptr<const RecordIndex> snapshot() const {
    std::lock_guard lock(mutex);
    return index;
  }
};

struct Connector::Watched {
  const BatchConfig* config = nullptr;
  std::unique_ptr<FileCodec> codec;
  std::unique_ptr<DropFolder> folder;
  std::mutex mutex;  // one pass at a time (watcher thread and poll_drop_folders())
};

Connector::Connector(ConnectorConfig config, Publisher* publisher) : config_(std::move(config)), publisher_(publisher) {
  for (const auto& entry : config_.serve) {
    auto served = std::make_unique<Served>();
    served->config = &entry;
    if (entry.source.type == SourceType::sql || entry.source.type == SourceType::odbc) {
      served->lookup = open_key_lookup(entry, config_.file);
      index_reports_.push_back(IndexReport{entry.category, entry.source.schema, {}, {}});
    } else {
      served->mapper = std::make_unique<RecordMapper>(entry.source.key, entry.fields);
      served->codec = open_file_codec(entry.source, served->mapper->source_fields());
      check_fields(*served->codec, entry.source, entry.fields, config_.file);
      IndexReport report = load_index(*served);
      if (!served->index) {
        throw std::runtime_error(entry.category + ": the data file " + entry.source.data.string() + " cannot be served");
      }
      index_reports_.push_back(std::move(report));
    }
    served_.push_back(std::move(served));
  }
  for (const auto& entry : config_.deliver) targets_.push_back(std::make_unique<DeliveryTarget>(entry));
  if (!config_.batch.empty() && publisher_ == nullptr) {
    throw ConfigError(config_.file, config_.batch.front().line, "batch mode needs a publisher");
  }
  for (const auto& entry : config_.batch) {
    auto watched = std::make_unique<Watched>();
    watched->config = &entry;
    RecordMapper mapper(entry.source.key, entry.fields);
    watched->codec = open_file_codec(entry.source, mapper.source_fields());
    check_fields(*watched->codec, entry.source, entry.fields, config_.file);
    DropFolderSettings settings{entry.category, entry.folder, entry.completion, entry.stable_for, entry.max_file_bytes};
    watched->folder = std::make_unique<DropFolder>(std::move(settings), *watched->codec, std::move(mapper), *publisher_);
    watched_.push_back(std::move(watched));
  }
}

Connector::~Connector() { stop(); }

IndexReport Connector::load_index(Served& served) {
  const SourceConfig& source = served.config->source;
  IndexReport report{served.config->category, source.data, {}, {}};
  const auto stamp = stamp_of(source.data);
  const auto started = std::chrono::steady_clock::now();
  auto bytes = read_whole_file(source.data);
  if (!bytes) {
    log::error("cannot read a served data file", {{"category", report.category}, {"file", source.data.string()}});
    return report;
  }
  IndexBuild build = build_index(*served.codec, *served.mapper, *bytes, source.data.filename().string());
  report.counts = build.counts;
  report.took = std::chrono::duration_cast<std::chrono::microseconds>(std::chrono::steady_clock::now() - started);
  if (!build.reject_lines.empty()) {
    std::ofstream rejects(source.rejects, std::ios::binary | std::ios::trunc);
    for (const auto& line : build.reject_lines) rejects << line << '\n';
    if (!rejects.flush()) log::error("cannot write the reject file", {{"file", source.rejects.string()}});
  }
  if (build.file_rejected) {
    // Where, not why: the reason may quote a record's value, which stays in the reject file.
    log::error("served data file rejected", {{"category", report.category}, {"file", source.data.string()},
                                             {"at", build.file_location}, {"rejects", source.rejects.string()}});
    return report;
  }
  {
    std::lock_guard lock(served.mutex);
    served.index = std::move(build.index);
    served.stamp = stamp;
  }
  log::info("index built", {{"category", report.category}, {"file", source.data.string()}, {"read", report.counts.read},
                            {"indexed", report.counts.accepted}, {"rejected", report.counts.rejected},
                            {"ms", report.took.count() / 1000}});
  return report;
}

pse::Result<boost::json::object> Connector::answer(const pse::ProviderRequest& request) const {
  for (const auto& served : served_) {
    if (served->config->category != request.category) continue;
    if (served->lookup) {
      auto found = served->lookup->find(request.subject);
      if (!found) {
        log::error("database lookup failed", {{"category", request.category}, {"request_id", request.request_id},
                                         {"error", found.error().message}});
        return found.error();
      }
      if (!*found) return pse::make_error(pse::Reason::record_not_found);
      return project(**found, request.fields);
    }
    const auto index = served->snapshot();
    const boost::json::object* record = index ? index->find(request.subject) : nullptr;
    if (record == nullptr) return pse::make_error(pse::Reason::record_not_found);
    return project(*record, request.fields);
  }
  return pse::make_error(pse::Reason::unknown_category, "not served here: " + request.category);
}

std::size_t Connector::reload_changed() {
  std::size_t reloaded = 0;
  for (auto& served : served_) {
    if (!served->codec) continue;
    const auto stamp = stamp_of(served->config->source.data);
    {
      std::lock_guard lock(served->mutex);
      if (!stamp || stamp == served->stamp) continue;
    }
    log::info("served data file changed, reloading", {{"category", served->config->category}});
    const auto before = served->snapshot();
    load_index(*served);
    if (served->snapshot() != before) {
      ++reloaded;
    } else {
      // Keep the previous index; do not retry the same bad version at every check.
      std::lock_guard lock(served->mutex);
      served->stamp = stamp;
    }
  }
  return reloaded;
}

std::vector<FileReport> Connector::poll_drop_folders() {
  std::vector<FileReport> reports;
  for (auto& watched : watched_) {
    std::lock_guard lock(watched->mutex);
    for (auto& report : watched->folder->poll()) reports.push_back(std::move(report));
  }
  return reports;
}

void Connector::run_watcher(Watched& watched) {
  std::unique_lock lock(stop_mutex_);
  while (!stopping_) {
    lock.unlock();
    {
      std::lock_guard pass(watched.mutex);
      try {
        watched.folder->poll();
      } catch (const std::exception& e) {
        log::error("drop folder pass failed", {{"category", watched.config->category}, {"error", e.what()}});
      }
    }
    lock.lock();
    stop_signal_.wait_for(lock, watched.config->poll_interval, [this] { return stopping_; });
  }
}

void Connector::run_reloader() {
  std::unique_lock lock(stop_mutex_);
  while (!stop_signal_.wait_for(lock, config_.reload_interval, [this] { return stopping_; })) {
    lock.unlock();
    try {
      reload_changed();
    } catch (const std::exception& e) {
      log::error("reload failed", {{"error", e.what()}});
    }
    lock.lock();
  }
}

pse::Status Connector::deliver(const pse::Delivery& delivery) {
  for (std::size_t i = 0; i < config_.deliver.size(); ++i) {
    const DeliverConfig& entry = config_.deliver[i];
    if (entry.category != delivery.category || entry.purpose != delivery.purpose) continue;
    pse::Status written = targets_[i]->write(delivery);
    if (!written) {
      // The reason names the item or the file, never a value.
      log::error("a delivery could not be written; it is refused, and the broker will retry",
                 {{"category", delivery.category}, {"event_id", delivery.event_id}, {"error", written.error().message}});
    }
    return written;
  }
  return pse::make_error(pse::Reason::provider_error, "no target for " + delivery.category + " (" + delivery.purpose + ")");
}

// Output files that stay open too long are rolled even when no event comes.
void Connector::run_roller() {
  std::unique_lock lock(stop_mutex_);
  while (!stop_signal_.wait_for(lock, std::chrono::seconds(1), [this] { return stopping_; })) {
    lock.unlock();
    for (const auto& target : targets_) {
      if (auto rolled = target->roll_if_old(); !rolled) log::error("an output file could not be rolled", {{"error", rolled.error().message}});
    }
    lock.lock();
  }
}

void Connector::start() {
  std::lock_guard lock(stop_mutex_);
  if (started_) return;
  started_ = true;
  stopping_ = false;
  if (!served_.empty() || !targets_.empty()) {
    provider_ = std::make_unique<pse::Provider>(config_.broker);
    if (!served_.empty()) {
      std::vector<std::string> categories;
      for (const auto& served : served_) categories.push_back(served->config->category);
      provider_->serve(std::move(categories), [this](const pse::ProviderRequest& request) { return answer(request); });
    }
    if (!targets_.empty()) {
      std::vector<pse::Subscription> subscriptions;
      for (const auto& entry : config_.deliver) subscriptions.push_back({entry.category, entry.purpose});
      provider_->subscribe(std::move(subscriptions), [this](const pse::Delivery& delivery) { return deliver(delivery); });
      threads_.emplace_back([this] { run_roller(); });
    }
    if (auto started = provider_->start(); !started) {
      log::error("the provider did not start", {{"reason", pse::to_string(started.error().reason)}});
    }
    if (!served_.empty() && config_.reload_interval.count() > 0) threads_.emplace_back([this] { run_reloader(); });
  }
  for (auto& watched : watched_) threads_.emplace_back([this, &watched] { run_watcher(*watched); });
}

pse::Status Connector::wait_ready(std::chrono::milliseconds timeout) {
  if (!provider_) return pse::Done{};
  return provider_->wait_ready(timeout);
}

void Connector::stop() {
  {
    std::lock_guard lock(stop_mutex_);
    if (!started_) return;
    started_ = false;
    stopping_ = true;
  }
  stop_signal_.notify_all();
  for (auto& thread : threads_) thread.join();
  threads_.clear();
  if (provider_) provider_->stop();
  provider_.reset();
}

}  // namespace pse::connector
