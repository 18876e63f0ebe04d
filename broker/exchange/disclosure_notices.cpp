#include "broker/exchange/disclosure_notices.hpp"

#include "audit/audit_entry.hpp"
#include "base/log.hpp"
#include "policy/instant.hpp"

#include <boost/json.hpp>

#include <algorithm>

namespace pse::broker {
namespace json = boost::json;

struct DisclosureNotices::Pending {
  std::string publisher;
  std::string body;
  std::uint64_t audit_seq = 0;
  std::string request_id;
  int attempts = 0;
};

std::string disclosure_idempotency_key(const DisclosureNotice& notice) {
  // Request ids are 1–64 of [A-Za-z0-9._-] (exchange_request.hpp), all valid in a key: the key
  // stays within the publish's 128 characters and its alphabet.
  return "access:" + std::to_string(notice.audit_seq) + ":" + notice.request_id;
}

std::string disclosure_publish_body(const DisclosureNotice& notice) {
  json::object record{
      {"consumer", notice.consumer},
      {"provider", notice.provider},
      {"category", notice.category},
      {"purpose", notice.purpose},
      {"fields", audit::join_fields(notice.fields)},
      {"basis", notice.basis_type},
      {"accessed_at", policy::format_instant(notice.at)},
      {"audit_seq", notice.audit_seq},
  };
  if (notice.basis_type == "law" && !notice.basis_reference.empty()) record["legal_reference"] = notice.basis_reference;
  return json::serialize(json::object{{"category", kDataAccessCategory},
                                      {"subject", notice.subject},
                                      {"idempotency_key", disclosure_idempotency_key(notice)},
                                      {"record", std::move(record)}});
}

namespace {

// Binds a sealed notice to its use: a queue payload sealed under the same key cannot pass for one.
constexpr std::string_view kOutboxAssociatedData = "pse-access-notice";

}  // namespace

DisclosureNotices::DisclosureNotices(Publish publish, Schedule schedule, Sent sent, const queue::QueueKeyring& keyring,
                                     DisclosureRetry retry)
    : publish_(std::move(publish)), schedule_(std::move(schedule)), sent_(std::move(sent)), keyring_(keyring), retry_(retry) {}

std::string DisclosureNotices::outbox_message(const DisclosureNotice& notice) const {
  return queue::seal_as_text(keyring_, encode_notice(notice), kOutboxAssociatedData);
}

void DisclosureNotices::resend(const std::vector<audit::OutboxMessage>& messages) {
  for (const audit::OutboxMessage& message : messages) {
    std::optional<DisclosureNotice> notice;
    if (auto opened = queue::open_sealed_text(keyring_, message.message, kOutboxAssociatedData)) {
      notice = decode_notice(*opened, message.seq);
    }
    if (!notice) {
      log::error("a kept disclosure notice cannot be read; left in the audit outbox", {{"audit_seq", message.seq}});
      continue;
    }
    notify(std::move(*notice));
  }
  if (!messages.empty()) log::info("disclosure notices kept by the audit log sent again", {{"count", messages.size()}});
}

void DisclosureNotices::notify(DisclosureNotice notice) {
  auto pending = std::make_shared<Pending>();
  pending->publisher = notice.provider;
  pending->audit_seq = notice.audit_seq;
  pending->request_id = notice.request_id;
  if (pending_.fetch_add(1) >= retry_.max_pending) {
    // A publish path stuck for long: keep the I/O threads' memory bounded rather than queue
    // notices without end. The exchange itself is in the audit log.
    pending_.fetch_sub(1);
    return give_up(*pending, "too_many_pending", 0);
  }
  pending->body = disclosure_publish_body(notice);
  // Posted, not run here: the exchange's answer leaves before the notice's policy decision and
  // audit append are even started.
  schedule_(std::chrono::milliseconds(0), [this, pending] { attempt(pending); });
}

void DisclosureNotices::attempt(const std::shared_ptr<Pending>& pending) {
  ++pending->attempts;
  publish_(pending->publisher, pending->body, [this, pending](HttpResponse response) { answered(pending, response); });
}

void DisclosureNotices::answered(const std::shared_ptr<Pending>& pending, const HttpResponse& response) {
  if (response.status == 202) {
    pending_.fetch_sub(1);
    ++published_;
    return sent_(pending->audit_seq);
  }
  // 429 (the provider's publish budget, the audit queue's share) and 5xx (audit or queue
  // unavailable, overloaded) pass; anything else (a category or rule missing from the
  // configuration) would be refused again, so its outbox message goes too. One given up after
  // its retries stays there, for the next start.
  const bool transient = response.status == 429 || response.status >= 500;
  if (!transient || pending->attempts >= retry_.max_attempts) {
    pending_.fetch_sub(1);
    if (!transient) sent_(pending->audit_seq);
    return give_up(*pending, transient ? "too_many_attempts" : "refused", response.status);
  }
  auto delay = retry_.first * (std::int64_t{1} << std::min(pending->attempts - 1, 20));
  delay = std::min(std::max(delay, std::chrono::milliseconds(response.retry_after_seconds * 1000)), retry_.max);
  log::warn("disclosure notice not published yet, will retry",
            {{"audit_seq", pending->audit_seq}, {"request_id", pending->request_id},
             {"status", response.status}, {"attempt", pending->attempts}, {"retry_in_ms", delay.count()}});
  schedule_(delay, [this, pending] { attempt(pending); });
}

void DisclosureNotices::give_up(const Pending& pending, const char* why, int status) {
  ++given_up_;
  // Ids only: the subject, the record and the fields stay out of the log.
  log::error("disclosure notice given up; the citizen is not notified of this exchange",
             {{"audit_seq", pending.audit_seq}, {"request_id", pending.request_id},
              {"provider", pending.publisher}, {"reason", why}, {"status", status}});
}

}  // namespace pse::broker
