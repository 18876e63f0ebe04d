// The feedback store (SQLite): used links, answers and their moderation status, and the outbox
// of approved answers still to publish through the broker.
//
// An answer is stored once, masked, with nothing that names the citizen: no transaction id (the
// used-link table holds a keyed hash, in a separate table with no link to the answer), no
// address, no time finer than the day. Submitting an answer marks its link used and stores it
// in one SQLite transaction, so a link gives at most one answer even under concurrent posts.
// Approving an answer puts it in the outbox in the same transaction: nothing approved is lost
// if the broker is down or the process dies.
#pragma once

#include "language.hpp"

#include <pse/result.hpp>

#include <cstdint>
#include <filesystem>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

struct sqlite3;

namespace pse::feedback {

enum class FeedbackStatus { pending, approved, rejected, escalated };
std::string_view to_string(FeedbackStatus status) noexcept;
std::optional<FeedbackStatus> parse_status(std::string_view text) noexcept;

struct NewFeedback {
  std::string service;
  int rating = 0;
  bool got_what_needed = false;
  std::string comment;  ///< already masked
  Language language = Language::fr;
  std::string submitted_on;  ///< YYYY-MM-DD
  int score = 0;
  std::string reasons;  ///< comma-separated moderation reasons
  bool escalate = false;
  bool needs_review = false;
};

struct FeedbackRecord {
  std::string id;  ///< "fb_" and 24 hex digits
  std::string service;
  int rating = 0;
  bool got_what_needed = false;
  std::string comment;
  Language language = Language::fr;
  std::string submitted_on;
  FeedbackStatus status = FeedbackStatus::pending;
  int score = 0;
  std::string reasons;
  bool escalate = false;
  std::string decision_note;
};

struct OutboxEntry {
  FeedbackRecord feedback;
  int attempts = 0;
  std::string last_error;
};

struct PublishedState {
  bool published = false;
  std::string event_id;
  int attempts = 0;
  std::string last_error;
};

enum class SubmitOutcome { stored, already_answered };

class FeedbackStore {
 public:
  /// Opens (creating) the database. Throws std::runtime_error with the file and SQLite's message.
  explicit FeedbackStore(const std::filesystem::path& file);
  ~FeedbackStore();
  FeedbackStore(const FeedbackStore&) = delete;
  FeedbackStore& operator=(const FeedbackStore&) = delete;

  Result<bool> link_used(std::string_view transaction_key);
  /// Marks the link used and stores the answer; when `!needs_review` it is approved and queued
  /// for publishing at once. `id` receives the new answer's id.
  Result<SubmitOutcome> submit(std::string_view transaction_key, const NewFeedback& feedback, std::string* id = nullptr);

  Result<std::vector<FeedbackRecord>> list(std::optional<FeedbackStatus> status);
  Result<std::optional<FeedbackRecord>> find(std::string_view id);
  /// A moderator's decision on a pending or escalated answer: approved (queued for publishing),
  /// rejected or escalated. Refuses (malformed_request) a decided answer or an unknown id.
  Status decide(std::string_view id, FeedbackStatus decision, std::string_view note);

  /// Approved answers not yet published whose next attempt is due at `now` (unix seconds).
  Result<std::vector<OutboxEntry>> due_outbox(std::int64_t now, int limit);
  Status mark_published(std::string_view id, std::string_view event_id);
  Status mark_attempt_failed(std::string_view id, std::string_view error, std::int64_t next_attempt);
  Result<PublishedState> published_state(std::string_view id);

  /// Answers of `service` (empty: all) submitted between the two days inclusive, rejected ones left out.
  Result<std::vector<FeedbackRecord>> for_report(std::string_view service, std::string_view from, std::string_view to);

 private:
  Status exec(const char* sql);
  std::mutex mutex_;
  sqlite3* db_ = nullptr;
};

}  // namespace pse::feedback
