// The durable schedule of pse-notify (SQLite): the notices received, the sends planned for
// them and their delivery state, and an outbox of the statuses still to publish.
//
// A send moves created → sending → sent → delivered, or to temporary-failure (tried again
// later) or permanent-failure; "skipped" when consent or a channel is missing. `sending` is
// written and committed before a message is handed to a channel, so that after a crash the
// store knows a send was under way: such a send is not tried again (we cannot know whether
// the server took it, and a citizen must not receive the same reminder twice); it becomes
// permanent-failure with reason outcome_unknown, reported to the sending body.
//
// One connection, one mutex: writes are small and the rate is that of outgoing messages.
#pragma once

#include "clock.hpp"

#include <cstdint>
#include <filesystem>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

struct sqlite3;

namespace pse::notify {

enum class SendState { created, sending, sent, delivered, temporary_failure, permanent_failure, skipped };
const char* to_string(SendState state);

struct NoticeRow {
  std::string event_id;
  std::string publisher;
  std::string category;
  std::string subject;
  std::string template_id;
  std::string values_json;
  Instant received_at;
  std::string outcome;  ///< accepted, skipped, rejected
  std::string reason;
};

struct SendRow {
  std::int64_t id = 0;
  std::string event_id;
  std::string template_id;
  std::string purpose;  ///< citizen_notification, or service_suggestions for a suggestion
  std::string channel;  ///< email or sms
  int offset_days = 0;
  SendState state = SendState::created;
  int attempts = 0;
  Instant next_attempt_at;
  std::string reason;
  std::string provider_reference;
};

/// A send due now with what is needed to make its message.
struct DueSend {
  SendRow send;
  NoticeRow notice;
};

/// A notice.status event waiting to be published to its body.
struct StatusRow {
  std::int64_t id = 0;
  std::string publisher;        ///< the body it goes to
  std::string subject;          ///< the citizen the notice is about (the broker audits it)
  std::string idempotency_key;
  std::string record_json;      ///< the notice.status record
};

class ScheduleStore {
 public:
  /// Opens or creates the database; throws std::runtime_error when it cannot.
  explicit ScheduleStore(const std::filesystem::path& file);
  ~ScheduleStore();
  ScheduleStore(const ScheduleStore&) = delete;
  ScheduleStore& operator=(const ScheduleStore&) = delete;

  /// Records a notice with its sends and statuses in one transaction. False (and nothing
  /// written) when the event was already recorded: a repeated delivery.
  bool insert_notice(const NoticeRow& notice, const std::vector<SendRow>& sends, const std::vector<StatusRow>& statuses);
  /// Records an access notice in the day's digest of its citizen (`digest`, a notice of its own,
  /// created with `digest_sends` by the first access of the day), in one transaction. Nothing
  /// is written when the access notice was already recorded (duplicate).
  enum class DigestInsert { duplicate, added, created };
  DigestInsert insert_into_digest(const NoticeRow& notice, const NoticeRow& digest, const std::vector<SendRow>& digest_sends);
  /// The access notices a digest lists, in the order they arrived.
  std::vector<NoticeRow> digest_items(const std::string& digest_event_id);
  bool has_notice(const std::string& event_id);
  std::optional<NoticeRow> notice(const std::string& event_id);

  /// Sends in state created or temporary-failure whose time has come, earliest first.
  std::vector<DueSend> due(Instant now, std::size_t limit);
  /// The earliest time a send is waiting for (nullopt: nothing waits).
  std::optional<Instant> next_due();

  /// created/temporary-failure → sending, committed; false when another worker took it.
  bool claim(std::int64_t send_id, Instant now);
  /// Records the outcome of a send (state, attempts, next attempt, reason) and its statuses.
  void update(const SendRow& send, Instant now, const std::vector<StatusRow>& statuses);
  std::optional<DueSend> send(std::int64_t send_id);
  std::vector<SendRow> sends_of(const std::string& event_id);

  /// Sends left in `sending` by a previous run: permanent-failure, reason outcome_unknown.
  std::vector<DueSend> interrupted();

  std::vector<StatusRow> pending_statuses(std::size_t limit);
  void remove_status(std::int64_t status_id);

  std::map<std::string, std::int64_t> count_by_state();
  /// Notices accepted from `publisher` since `since` (for daily limits across restarts).
  std::int64_t notices_since(const std::string& publisher, Instant since);

 private:
  void exec(const char* sql);
  void insert_statuses(const std::vector<StatusRow>& statuses);
  bool notice_exists(const std::string& event_id);
  void insert_notice_row(const NoticeRow& notice);
  void insert_sends(const NoticeRow& notice, const std::vector<SendRow>& sends);

  std::mutex mutex_;
  sqlite3* db_ = nullptr;
};

}  // namespace pse::notify
