// SqliteQueueStore — the delivery queue on an SQLite file: its schema and every statement.
//
// The tables are QueueStore's (queue_store.hpp), unprefixed: deliveries, heads,
// idempotency_keys, subscriber_counts, queue_meta; the schema version is the file's
// user_version. The writer connection sets WAL (the reader never blocks it) and
// synchronous=FULL (a commit survives power loss); the reader connection is read-only.
// Failures are store_failed values with SQLite's message.
#pragma once

#include "base/sqlite.hpp"
#include "broker/queue/queue_store.hpp"

#include <filesystem>
#include <memory>

namespace pse::queue {

class SqliteQueueStore final : public QueueStore {
 public:
  enum class Access { writer, reader };

  /// The writer creates the schema and sets WAL + synchronous=FULL; open it before a reader.
  static Result<std::unique_ptr<SqliteQueueStore>> open(const std::filesystem::path& file, Access access);

  Status begin() override;
  Status commit() override;
  void rollback() override;

  Result<std::optional<std::string>> find_event(const std::string& publisher, const std::string& key) override;
  Status insert_idempotency(const std::string& publisher, const std::string& key, const std::string& event_id,
                            std::int64_t stored_at_us) override;
  Result<std::uint64_t> purge_idempotency(std::int64_t before_us, std::uint64_t limit) override;
  Status insert_delivery(const StoredDelivery& delivery) override;
  bool shared() const override { return false; }
  Result<bool> delete_delivery(std::uint64_t id) override;
  Result<bool> update_attempt(std::uint64_t id, std::uint32_t attempts, std::int64_t next_attempt_us, bool dead,
                        const std::string& last_error) override;
  Status revive(std::uint64_t id, std::int64_t now_us) override;
  Status refresh_head(const std::string& subscriber, const std::string& ordering_key) override;
  Result<std::optional<RowLocation>> locate(std::uint64_t id) override;
  Result<std::vector<std::pair<std::uint64_t, std::string>>> dead_ids(const std::string& subscriber,
                                                                      std::uint64_t after_id,
                                                                      std::uint64_t limit) override;
  Status add_counts(const std::string& subscriber, std::int64_t pending_delta, std::int64_t dead_delta) override;
  Status save_next_id(std::uint64_t next_id) override;
  Status announce(const std::set<std::string, std::less<>>&) override { return Ok{}; }

  Result<std::uint64_t> load_next_id() override;
  Result<std::vector<StoredCounts>> load_counts() override;

  /// One broker: nothing to release.
  Result<std::vector<std::string>> release_abandoned_claims() override { return std::vector<std::string>(); }

  /// Claims nothing (one broker per file).
  Result<std::vector<ReadyRow>> ready_heads(const std::string& subscriber, std::int64_t now_us, std::uint64_t scan,
                                            std::size_t take, const std::function<bool(const std::string&)>& skip,
                                            std::int64_t claim_until_us) override;
  Status release_claims(const std::string&, const std::vector<std::uint64_t>&) override { return Ok{}; }
  Result<std::vector<HeadDue>> heads_by_due(const std::string& subscriber, std::uint64_t limit) override;
  Result<std::optional<std::int64_t>> oldest_pending(const std::string& subscriber) override;
  Result<std::vector<DeadRow>> dead_letters(const std::string& subscriber, std::uint64_t limit) override;

 private:
  explicit SqliteQueueStore(pse::SqliteDatabase database) : database_(std::move(database)) {}
  Status prepare_writer();
  Status prepare_reader();

  pse::SqliteDatabase database_;
  // writer
  pse::SqliteStatement find_event_, insert_idempotency_, purge_idempotency_, insert_delivery_, insert_head_,
      delete_delivery_, update_attempt_, revive_, oldest_of_key_, upsert_head_, delete_head_, locate_, dead_ids_,
      add_counts_, save_next_id_;
  // reader
  pse::SqliteStatement ready_heads_, heads_by_due_, oldest_head_, dead_all_, dead_of_;
};

}  // namespace pse::queue
