// Carries out the obligation `notify_subject`: each DisclosureNotice the exchange pipeline
// hands over (an allowed exchange, durably audited) becomes a publish of `notice.data_access`
// through the broker's own publish pipeline, which pse-notify subscribes to and turns into an
// email or SMS to the citizen (docs/decisions/notify.md, "Access notices").
//
//   - The publisher is the provider: the body that communicated the information. The notice is
//     the provider's disclosure, made known to the citizen; the fan-out to pse-notify is then
//     an ordinary, audited publish under a rule (provider → pse-notify, purpose
//     citizen_notification), so the hub grants itself nothing that policies.yaml does not say.
//   - The idempotency key is derived from the exchange's audit seq and request id: a retry of
//     the publish is a duplicate the broker's queue recognises, never a second message.
//   - Nothing here blocks: the first attempt is posted to an I/O thread (the exchange's answer
//     leaves first), a failed attempt is tried again after a growing delay, a bounded number of
//     times; then the notice is given up and logged with ids only.
//   - Nothing lost: the exchange's audit commit keeps the notice in the log's outbox (sealed
//     with the delivery queue's key, since it names the citizen) until it is published or
//     refused for good. A broker that stops or crashes in between, or gives up after its
//     retries, publishes it again when it starts (resend): with the same idempotency key, a
//     duplicate of one that did reach the queue is recognised and sent nowhere.
#pragma once

#include "audit/audit_store.hpp"
#include "broker/exchange/disclosure_notice.hpp"
#include "broker/http_types.hpp"
#include "broker/queue/queue_keyring.hpp"

#include <atomic>
#include <chrono>
#include "policy/policy_rule.hpp"

#include <cstdint>
#include <functional>
#include <memory>
#include <string>

namespace pse::broker {

/// The category of access notices (owner pse-notify, classification.yaml).
inline constexpr const char* kDataAccessCategory = policy::kAccessNoticeCategory;

/// "access:<audit seq>:<request id>" — the same for every attempt of one notice.
std::string disclosure_idempotency_key(const DisclosureNotice& notice);

/// The body of the publish: {"category", "subject", "idempotency_key", "record"} with the record
/// consumer, provider, category, purpose, fields (names joined by ","), basis,
/// legal_reference (a law basis only; a consent id is not for the citizen's letter),
/// accessed_at (RFC 3339 UTC) and audit_seq.
std::string disclosure_publish_body(const DisclosureNotice& notice);

struct DisclosureRetry {
  int max_attempts = 6;                     ///< the first and five retries
  std::chrono::milliseconds first{1000};    ///< then doubled…
  std::chrono::milliseconds max{30'000};    ///< …up to this
  std::size_t max_pending = 10'000;         ///< notices under way at once; beyond, given up
};

class DisclosureNotices {
 public:
  /// Publishes `body` as organisation `publisher`; answers once, from any thread.
  using Publish = std::function<void(const std::string& publisher, const std::string& body, Respond respond)>;
  /// Runs `job` on an I/O thread after `delay` (zero: as soon as one is free).
  using Schedule = std::function<void(std::chrono::milliseconds delay, std::function<void()> job)>;

  /// The notice of entry `audit_seq` was published, or refused for good: its outbox message
  /// may go (AuditLog::outbox_done).
  using Sent = std::function<void(std::uint64_t audit_seq)>;

  DisclosureNotices(Publish publish, Schedule schedule, Sent sent, const queue::QueueKeyring& keyring,
                    DisclosureRetry retry = {});

  /// What the exchange's audit commit keeps in the log's outbox for this notice: the notice
  /// sealed with the keyring's active key.
  std::string outbox_message(const DisclosureNotice& notice) const;

  /// The pipeline's NotifySubject: returns at once.
  void notify(DisclosureNotice notice);

  /// At start-up: publishes again the notices the audit log's outbox still holds. A message
  /// that cannot be opened (no key for it any more) is logged by seq and left there.
  void resend(const std::vector<audit::OutboxMessage>& messages);

  std::uint64_t published() const { return published_.load(); }
  std::uint64_t given_up() const { return given_up_.load(); }

 private:
  struct Pending;
  void attempt(const std::shared_ptr<Pending>& pending);
  void answered(const std::shared_ptr<Pending>& pending, const HttpResponse& response);
  void give_up(const Pending& pending, const char* why, int status);

  Publish publish_;
  Schedule schedule_;
  Sent sent_;
  const queue::QueueKeyring& keyring_;
  DisclosureRetry retry_;
  std::atomic<std::size_t> pending_{0};
  std::atomic<std::uint64_t> published_{0};
  std::atomic<std::uint64_t> given_up_{0};
};

}  // namespace pse::broker
