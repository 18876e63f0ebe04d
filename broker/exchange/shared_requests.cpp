#include "broker/exchange/shared_requests.hpp"

#include "audit/audit_entry.hpp"
#include "base/group_commit.hpp"
#include "base/log.hpp"
#include "store/pg_schema.hpp"

#include <set>
#include <stdexcept>
#include <utility>
#include <vector>

namespace pse::broker {
namespace {

using audit::now_micros;

constexpr std::size_t kMaxQueued = 65'536;
constexpr std::size_t kSweepRows = 10'000;
constexpr auto kSweepInterval = std::chrono::seconds(5);

// One statement for a whole batch of claims: take each id that is free, expired, this broker's,
// or held by a broker that stopped; and read the answer kept for each, if any. The answer wins
// over the claim: an id answered is replayed whoever holds it.
constexpr std::string_view kClaimSql = R"sql(
WITH input AS (
  SELECT * FROM unnest($1::text[], $2::text[]) WITH ORDINALITY AS t(consumer, request_id, n)),
claimed AS (
  INSERT INTO exchange_claims (consumer, request_id, broker_id, expires_at)
  SELECT consumer, request_id, $3, $4 FROM input
  ON CONFLICT (consumer, request_id) DO UPDATE SET broker_id = EXCLUDED.broker_id, expires_at = EXCLUDED.expires_at
  WHERE exchange_claims.expires_at < $5 OR exchange_claims.broker_id = EXCLUDED.broker_id
     OR exchange_claims.broker_id NOT IN (
       SELECT broker_id FROM brokers WHERE heartbeat_at > now() - make_interval(secs => $6))
  RETURNING consumer, request_id)
SELECT c.consumer IS NOT NULL, a.status, a.content_type, a.body, a.audit_seq
FROM input i
LEFT JOIN claimed c ON c.consumer = i.consumer AND c.request_id = i.request_id
LEFT JOIN LATERAL (
  SELECT status, content_type, body, audit_seq FROM exchange_answers x
  WHERE x.consumer = i.consumer AND x.request_id = i.request_id AND x.expires_at > $5
  ORDER BY audit_seq DESC LIMIT 1) a ON true
ORDER BY i.n)sql";

constexpr std::string_view kReleaseSql = R"sql(
DELETE FROM exchange_claims c USING unnest($1::text[], $2::text[]) AS t(consumer, request_id)
WHERE c.consumer = t.consumer AND c.request_id = t.request_id AND c.broker_id = $3)sql";

// Binds a kept answer to its request: a row moved to another consumer's id does not open.
std::string answer_associated_data(std::string_view consumer, std::string_view request_id) {
  return "pse-kept-answer\n" + std::string(consumer) + "\n" + std::string(request_id);
}

SharedClaim claim_of(SharedClaim::Kind kind, std::string detail = {}) {
  SharedClaim claim;
  claim.kind = kind;
  claim.detail = std::move(detail);
  return claim;
}

}  // namespace

struct SharedRequests::Impl {
  struct Op {
    bool release = false;
    std::string consumer;
    std::string request_id;
    Done done;  // claims only
  };

  Impl(PgConnection c, std::string id, std::chrono::seconds w, const queue::QueueKeyring& k)
      : connection(std::move(c)),
        broker_id(std::move(id)),
        window(w),
        keys(k),
        writer({1024, std::chrono::milliseconds(1000)}, [this](std::span<Op> batch) { commit(batch); }) {
    writer.start();
  }

  void commit(std::span<Op> batch) {
    if (!connection.is_open()) {
      if (auto reconnected = connection.reconnect(); !reconnected) return fail(batch, reconnected.error().message);
    }
    std::vector<Op*> claims;
    for (Op& op : batch) {
      if (op.release) keep_unreleased(op.consumer, op.request_id);
      else claims.push_back(&op);
    }
    if (!claims.empty()) commit_claims(claims);
    if (!unreleased.empty()) commit_releases();
    sweep_if_due();
  }

  void commit_claims(const std::vector<Op*>& ops) {
    // One broker never claims an id twice at once (its IdempotencyCache runs one attempt per
    // id), but a statement must not name a row twice: a repeat is answered as running.
    std::vector<std::string> consumers;
    std::vector<std::string> request_ids;
    std::vector<Op*> sent;
    std::set<std::pair<std::string, std::string>> seen;
    for (Op* op : ops) {
      if (!seen.emplace(op->consumer, op->request_id).second) {
        op->done(claim_of(SharedClaim::Kind::elsewhere));
        continue;
      }
      consumers.push_back(op->consumer);
      request_ids.push_back(op->request_id);
      sent.push_back(op);
    }
    const std::int64_t now = now_micros();
    auto rows = connection.query(kClaimSql, PgParams()
                                                .text_array(consumers)
                                                .text_array(request_ids)
                                                .text(broker_id)
                                                .integer(now + window_micros())
                                                .integer(now)
                                                .integer(store::kBrokerSilentAfterSeconds));
    if (!rows || rows->size() != static_cast<int>(sent.size())) {
      const std::string why = rows ? "the claim statement answered a wrong number of rows" : rows.error().message;
      for (Op* op : sent) {
        // The store may have committed the claims before the connection broke: give them back.
        keep_unreleased(op->consumer, op->request_id);
        op->done(claim_of(SharedClaim::Kind::failed, why));
      }
      return;
    }
    for (int row = 0; row < rows->size(); ++row) {
      SharedClaim claim;
      if (!rows->is_null(row, 1)) {
        const Op& op = *sent[static_cast<std::size_t>(row)];
        auto body = queue::open_sealed_text(keys, rows->bytes(row, 3), answer_associated_data(op.consumer, op.request_id));
        if (!body) {
          // Not sealed with a key of this hub, or for another request: never replayed.
          sent[static_cast<std::size_t>(row)]->done(claim_of(SharedClaim::Kind::failed, "a kept answer cannot be opened"));
          continue;
        }
        claim.kind = SharedClaim::Kind::answered;
        claim.status = static_cast<int>(rows->integer(row, 1));
        claim.content_type = std::string(rows->text(row, 2));
        claim.body = std::move(*body);
        claim.audit_seq = static_cast<std::uint64_t>(rows->integer(row, 4));
      } else {
        claim.kind = rows->text(row, 0) == "t" ? SharedClaim::Kind::mine : SharedClaim::Kind::elsewhere;
        // Claimed again by a retry: an earlier attempt's release must not end this one's claim.
        const auto index = static_cast<std::size_t>(row);
        if (claim.kind == SharedClaim::Kind::mine) unreleased.erase({consumers[index], request_ids[index]});
      }
      sent[static_cast<std::size_t>(row)]->done(std::move(claim));
    }
  }

  // Releases that fail stay in `unreleased` and go with the next batch: a claim left behind
  // would answer this id's retries on the other brokers request_in_progress until its window
  // ends (after a failover of the store, for example, when every release failed at once).
  void commit_releases() {
    std::vector<std::string> consumers;
    std::vector<std::string> request_ids;
    for (const auto& [consumer, request_id] : unreleased) {
      consumers.push_back(consumer);
      request_ids.push_back(request_id);
    }
    if (auto deleted = connection.execute(kReleaseSql, PgParams().text_array(consumers).text_array(request_ids).text(broker_id));
        !deleted) {
      log::warn("exchange claims not released yet", {{"count", unreleased.size()}, {"detail", deleted.error().message}});
      return;
    }
    unreleased.clear();
  }

  void keep_unreleased(const std::string& consumer, const std::string& request_id) {
    if (unreleased.size() < kMaxQueued) unreleased.emplace(consumer, request_id);
  }

  // Expired claims and answers go a bounded number at a time, so that a sweep never holds the
  // writer long.
  void sweep_if_due() {
    const auto now = std::chrono::steady_clock::now();
    if (now < next_sweep) return;
    next_sweep = now + kSweepInterval;
    for (std::string_view table : {"exchange_claims", "exchange_answers"}) {
      const std::string sql = "DELETE FROM " + std::string(table) + " WHERE ctid = ANY(ARRAY(SELECT ctid FROM " +
                              std::string(table) + " WHERE expires_at < $1 LIMIT $2))";
      if (auto swept = connection.execute(sql, PgParams().integer(now_micros()).integer(kSweepRows)); !swept) {
        log::warn("expired exchange claims not swept", {{"detail", swept.error().message}});
        return;
      }
    }
  }

  void fail(std::span<Op> batch, const std::string& why) {
    for (Op& op : batch) {
      keep_unreleased(op.consumer, op.request_id);
      if (!op.release) op.done(claim_of(SharedClaim::Kind::failed, why));
    }
  }

  std::int64_t window_micros() const {
    return std::chrono::duration_cast<std::chrono::microseconds>(window).count();
  }

  PgConnection connection;
  std::string broker_id;
  std::chrono::seconds window;
  const queue::QueueKeyring& keys;
  std::chrono::steady_clock::time_point next_sweep{};
  std::set<std::pair<std::string, std::string>> unreleased;  // consumer, request id (writer thread)
  GroupCommitWriter<Op> writer;  // last: its thread uses the members above
};

SharedRequests::SharedRequests(const PgConnectOptions& options, std::string broker_id, std::chrono::seconds window,
                               const queue::QueueKeyring& keys) {
  auto connection = PgConnection::connect(options);
  if (!connection) throw std::runtime_error("exchange claims: " + connection.error().message);
  impl_ = std::make_unique<Impl>(std::move(connection).value(), std::move(broker_id), window, keys);
}

std::string SharedRequests::seal_answer(std::string_view consumer, std::string_view request_id,
                                        std::string_view body) const {
  return queue::seal_as_text(impl_->keys, body, answer_associated_data(consumer, request_id));
}

SharedRequests::~SharedRequests() { impl_->writer.close(); }

void SharedRequests::claim(const std::string& consumer, const std::string& request_id, Done done) {
  const bool queued = impl_->writer.locked([&](std::vector<Impl::Op>& queue, bool closing) {
    if (closing || queue.size() >= kMaxQueued) return false;
    queue.push_back(Impl::Op{false, consumer, request_id, done});
    return true;
  });
  if (!queued) done(claim_of(SharedClaim::Kind::failed, "too many exchange claims queued"));
}

void SharedRequests::release(const std::string& consumer, const std::string& request_id) {
  impl_->writer.locked([&](std::vector<Impl::Op>& queue, bool closing) {
    if (!closing && queue.size() < kMaxQueued) queue.push_back(Impl::Op{true, consumer, request_id, {}});
  });
}

std::int64_t SharedRequests::answer_expiry_micros() const { return now_micros() + impl_->window_micros(); }

}  // namespace pse::broker
