// SharedRequests — an exchange's request id answered once by the brokers of a hub, whichever
// of them the consumer's retries reach (PostgreSQL only: on SQLite the hub is one broker, and
// its IdempotencyCache is enough).
//
// Before it runs an exchange with a request id the consumer chose, a broker claims the id in
// exchange_claims (store/pg_schema.cpp, migration 7). The claim tells it one of:
//   * answered    — an answer is kept for this id (exchange_answers): it is replayed, and
//                   nothing is asked of the provider or added to the audit log;
//   * elsewhere   — another live broker is running it: 503 request_in_progress, retry soon;
//   * mine        — run it. The answer is written by the audit commit that records the
//                   exchange (audit::KeptAnswer), so a broker killed after that commit leaves
//                   the answer behind, and one killed before it leaves nothing audited.
// Kept answers hold records: they are sealed with the delivery queue's key (seal_answer), bound
// to their consumer and request id, as every payload the hub keeps at rest.
// A claim held by a broker whose heartbeat (consent_follower.hpp) has stopped, or past its
// window, is taken over. Transient outcomes (5xx, 429) keep no answer: their claim is released,
// so a retry runs again, as on one broker.
//
// Claims and releases are written by one group-commit writer (base/group_commit.hpp): a batch
// is one statement and one commit, whatever its size. Expired claims and answers are deleted
// by the same writer, a bounded number at a time.
#pragma once

#include "base/postgres.hpp"
#include "broker/queue/queue_keyring.hpp"

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

namespace pse::broker {

struct SharedClaim {
  enum class Kind { mine, answered, elsewhere, failed };
  Kind kind = Kind::failed;
  // answered: the kept answer (body without audit_seq) and the entry that recorded it.
  int status = 0;
  std::string content_type;
  std::string body;
  std::uint64_t audit_seq = 0;
  std::string detail;  ///< failed: why (the store cannot be reached…)
};

class SharedRequests {
 public:
  using Done = std::function<void(SharedClaim)>;

  /// Connects (its own connection). Throws std::runtime_error when the store cannot be reached.
  /// `broker_id` is this broker's name in `brokers`; `window` how long claims and answers last.
  SharedRequests(const PgConnectOptions& options, std::string broker_id, std::chrono::seconds window,
                 const queue::QueueKeyring& keys);
  ~SharedRequests();
  SharedRequests(const SharedRequests&) = delete;
  SharedRequests& operator=(const SharedRequests&) = delete;

  /// `done` runs on the writer thread once the claim is committed (or failed).
  void claim(const std::string& consumer, const std::string& request_id, Done done);
  /// Ends this broker's claim on an id whose outcome is not kept; nothing waits for it.
  void release(const std::string& consumer, const std::string& request_id);

  /// When an answer kept now expires (for audit::KeptAnswer::expires).
  std::int64_t answer_expiry_micros() const;
  /// What the audit commit keeps of an answer (audit::KeptAnswer::body): `body` sealed.
  std::string seal_answer(std::string_view consumer, std::string_view request_id, std::string_view body) const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace pse::broker
