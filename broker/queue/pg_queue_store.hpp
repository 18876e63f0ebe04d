// PgQueueStore — the delivery queue in the hub's PostgreSQL.
//
// The tables are QueueStore's (queue_store.hpp), prefixed queue_ and created by the schema's
// migrations (store/pg_schema.cpp): queue_meta, queue_idempotency_keys, queue_deliveries,
// queue_heads, queue_subscriber_counts. Blobs are bytea, integers bigint, and dead rows have
// a partial index of their own.
//
// Idempotency keys are shared by the brokers of the hub: a writer's transaction begins by
// locking the queue_meta row, so the writers of every broker take turns, and a key that
// another broker committed is found by find_event before the insert it would collide with.
// Delivery ids are shared the same way (the writer reads the next one under that lock). Heads
// are claimed by the broker that takes them (queue_store.hpp, ready_heads): SELECT … FOR UPDATE
// SKIP LOCKED, then the head names the broker (claimed_by) and is due when the claim ends, so
// two brokers never hand one delivery out at once. A broker whose heartbeat in `brokers`
// (consent_follower.hpp) is older than kAbandonedAfter has its claims ended by whichever broker
// sweeps next: a killed broker's deliveries go out again within seconds, not at the claim's end.
// Not shared: the per-subscriber counts a DeliveryQueue keeps in memory, read at open.
//
// A lost connection (PostgreSQL restarted, a failover) is opened again by the next begin() or
// read, which then goes on; a transaction it cut short fails, as any failed commit does.
// Commits are durable on return (synchronous_commit stays on, whatever the options say).
#pragma once

#include "base/postgres.hpp"
#include "broker/queue/queue_store.hpp"

#include <memory>

namespace pse::queue {

/// The channel a commit NOTIFYs with a subscriber's name when it made something ready for it
/// (new deliveries, settlements, replays, claims ended); the brokers' queue listeners LISTEN.
inline constexpr std::string_view kQueueReadyChannel = "pse_queue_ready";

class PgQueueStore final : public QueueStore {
 public:
  /// Connects and brings the schema up to date. Errors: store_failed (cannot connect, a schema
  /// newer than this program). `claimant` names this broker in its claims and in `brokers`.
  static Result<std::unique_ptr<PgQueueStore>> open(const PgConnectOptions& options, std::string claimant);

  Status begin() override;
  Status commit() override;
  void rollback() override;

  Result<std::optional<std::string>> find_event(const std::string& publisher, const std::string& key) override;
  Status insert_idempotency(const std::string& publisher, const std::string& key, const std::string& event_id,
                            std::int64_t stored_at_us) override;
  Result<std::uint64_t> purge_idempotency(std::int64_t before_us, std::uint64_t limit) override;
  Status insert_delivery(const StoredDelivery& delivery) override;
  bool shared() const override { return true; }
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
  Status announce(const std::set<std::string, std::less<>>& subscribers) override;

  Result<std::uint64_t> load_next_id() override;
  Result<std::vector<StoredCounts>> load_counts() override;

  Result<std::vector<std::string>> release_abandoned_claims() override;

  Result<std::vector<ReadyRow>> ready_heads(const std::string& subscriber, std::int64_t now_us, std::uint64_t scan,
                                            std::size_t take, const std::function<bool(const std::string&)>& skip,
                                            std::int64_t claim_until_us) override;
  Status release_claims(const std::string& subscriber, const std::vector<std::uint64_t>& ids) override;
  Result<std::vector<HeadDue>> heads_by_due(const std::string& subscriber, std::uint64_t limit) override;
  Result<std::optional<std::int64_t>> oldest_pending(const std::string& subscriber) override;
  Result<std::vector<DeadRow>> dead_letters(const std::string& subscriber, std::uint64_t limit) override;

 private:
  PgQueueStore(PgConnection connection, std::string claimant)
      : connection_(std::move(connection)), claimant_(std::move(claimant)) {}
  /// ready_heads' body, inside its transaction.
  Result<std::vector<ReadyRow>> claim_heads(const std::string& subscriber, std::int64_t now_us, std::uint64_t scan,
                                            std::size_t take, const std::function<bool(const std::string&)>& skip,
                                            std::int64_t claim_until_us);
  /// A statement outside any transaction: on a connection found lost, reconnects and runs it again.
  PgResult<PgRows> read(std::string_view sql, const PgParams& params = {});
  /// Fills in the stored columns of `rows` (id and ordering key set); drops a row gone meanwhile.
  Status read_sealed(std::vector<ReadyRow>& rows);

  PgConnection connection_;
  std::string claimant_;
};

}  // namespace pse::queue
