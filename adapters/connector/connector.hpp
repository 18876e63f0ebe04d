// pse-connector's engine: the served categories' indexes, the provider that answers the broker
// from them, and the drop folders of batch mode — everything but the command line, so that
// tests run it in-process against a real broker.
#pragma once

#include "adapters/connector/canonical_source.hpp"
#include "adapters/connector/connector_config.hpp"
#include "adapters/connector/delivery_target.hpp"
#include "adapters/connector/drop_folder.hpp"
#include "adapters/connector/field_mapping.hpp"
#include "adapters/connector/record_index.hpp"

#include <pse/provider.hpp>
#include <pse/result.hpp>

#include <boost/json/object.hpp>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <filesystem>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

namespace pse::connector {

/// What the connector found in a served source when it (re)built the index.
struct IndexReport {
  std::string category;
  std::filesystem::path file;
  adapters::DecodeCounts counts;
  std::chrono::microseconds took{0};
};

class Connector {
 public:
  /// Opens every source: reads copybooks and schemas (ConfigError naming their file and line,
  /// or the connector file's line for a legacy field that does not exist), builds the index of
  /// each served file (std::runtime_error when a file cannot be read or is rejected as a
  /// whole), and opens SQL sources. `publisher` is needed when batch folders are configured.
  Connector(ConnectorConfig config, Publisher* publisher);
  ~Connector();
  Connector(const Connector&) = delete;
  Connector& operator=(const Connector&) = delete;

  /// The answer to one request from the broker: the requested fields of the subject's record,
  /// or record_not_found. Thread-safe.
  pse::Result<boost::json::object> answer(const pse::ProviderRequest& request) const;

  /// Starts the provider (when categories are served or events delivered), the drop-folder
  /// watchers, the reloading of changed served files and the rolling of output files. Returns
  /// at once.
  void start();
  /// Waits for the broker's `ready` (Done at once when nothing is served).
  pse::Status wait_ready(std::chrono::milliseconds timeout);
  /// Stops everything started; idempotent.
  void stop();

  /// Rebuilds the index of every served file whose size or modification time changed. A new
  /// version that cannot be used is logged and the previous index kept. Returns how many were
  /// reloaded.
  std::size_t reload_changed();

  /// One pass over every drop folder (what the watchers do each poll interval).
  std::vector<FileReport> poll_drop_folders();

  const std::vector<IndexReport>& index_reports() const noexcept { return index_reports_; }
  const ConnectorConfig& config() const noexcept { return config_; }

 private:
  struct Served;
  struct Watched;
  IndexReport load_index(Served& served);
  void run_watcher(Watched& watched);
  void run_reloader();
  void run_roller();
  pse::Status deliver(const pse::Delivery& delivery);

  ConnectorConfig config_;
  Publisher* publisher_;
  std::vector<std::unique_ptr<Served>> served_;
  std::vector<std::unique_ptr<Watched>> watched_;
  std::vector<IndexReport> index_reports_;
  std::unique_ptr<pse::Provider> provider_;
  std::vector<std::unique_ptr<DeliveryTarget>> targets_;  ///< one per deliver entry, in order
  std::vector<std::thread> threads_;
  std::mutex stop_mutex_;
  std::condition_variable stop_signal_;
  bool stopping_ = false;
  bool started_ = false;
};

}  // namespace pse::connector
