// The exchange path: POST /v1/exchange from request to durable audit entry to answer.
//
// One exchange goes through these stages, in this order, each with one job (the .cpp reads top
// to bottom in the same order):
//
//   1. authenticate  the caller is the organisation of its client certificate (done by TLS)
//      admit         the consumer organisation's exchange rate (admission/org_admission.hpp):
//                    beyond it 429 rate_limited with Retry-After, before anything is parsed
//                    or audited
//   2. parse         strict JSON body → ExchangeRequest; idempotent retries answered here,
//                    by this broker's cache, then by the hub's (shared_requests.hpp)
//   3. policy        classification, rule, purpose, validity, clearance, field minimisation
//   4. basis         a valid consent of the subject, or the rule's legal reference
//   5. rate limit    the rule's per-consumer limit
//   6. route         the least busy connector connection of the provider for the category
//   7. receive       the provider's record, or its error, or the timeout
//   8. minimise      drop every field the consumer may not receive (and count them); in a
//                    category whose integrity rating requires it, check the provider's
//                    signature and keep the disclosures of the permitted fields only
//   9. audit         append the entry — allowed or denied — and wait until it is durable
//  10. respond       the minimised record, or the reason code
//
// A decision made by a stage is data (policy::Decision, consent::ConsentCheck), never a bool,
// and every refusal after parsing is audited like an allowed exchange — unless the audit log
// itself refuses the entry (audit_health.hpp), which refuses the exchange.
#pragma once

#include "audit/result.hpp"
#include "broker/exchange/disclosure_notice.hpp"
#include "broker/exchange/idempotency_cache.hpp"
#include "broker/exchange/provider_directory.hpp"
#include "broker/exchange/registered_keys.hpp"
#include "broker/exchange/rate_limiter.hpp"
#include "broker/http_types.hpp"
#include "broker/metrics.hpp"
#include "policy/instant.hpp"

#include <atomic>
#include <chrono>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>

namespace pse::policy {
class PolicyEngine;
}
namespace pse::consent {
class ConsentRegistry;
}
namespace pse::audit {
class AuditLog;
}

namespace pse::broker {

struct ExchangeSettings {
  std::chrono::milliseconds provider_timeout{5000};
  std::uint32_t max_in_flight_per_consumer = 256;  ///< beyond its share by availability: 503 overloaded
  std::chrono::seconds idempotency_window{600};
  std::size_t idempotency_entries = 100'000;
  /// The platform's registered public keys: <keys_dir>/encryption (consumers, end-to-end
  /// encryption) and <keys_dir>/signing (providers, signed records); see registered_keys.hpp.
  std::filesystem::path keys_dir;
};

class OrgAdmission;
class SharedRequests;

class ExchangePipeline {
 public:
  using Clock = std::function<policy::Instant()>;
  /// Runs a job on the I/O threads: the audit writer hands each answer back through it, so that
  /// the writer thread — which every exchange waits on — does nothing but commit.
  using Post = std::function<void(std::function<void()>)>;

  ExchangePipeline(const policy::PolicyEngine& policies, const consent::ConsentRegistry& consents,
                   audit::AuditLog& audit, ProviderDirectory& providers, Metrics& metrics, ExchangeSettings settings,
                   Clock clock, Post post, OrgAdmission& admission);

  void run(const policy::Organisation& caller, const std::string& body, Respond respond);

  /// After a reload: the registered public keys are read again when next needed.
  void forget_registered_keys() {
    encryption_keys_.forget();
    signing_keys_.forget();
  }

  /// On a hub of several brokers: request ids answered once by all of them. Set before serving.
  void share_requests(SharedRequests* shared) { shared_ = shared; }

  /// What the audit commit of an exchange under `notify_subject` keeps in the log's outbox for
  /// its notice (so that a crash cannot lose it), and who tells the subject once the entry is
  /// durable. Set before serving.
  using KeepNotice = std::function<std::string(const DisclosureNotice&)>;
  void notify_subjects_through(KeepNotice keep, NotifySubject notify) {
    keep_notice_ = std::move(keep);
    notify_subject_ = std::move(notify);
  }

 private:
  struct Exchange;
  using ExchangePtr = std::shared_ptr<Exchange>;

  void claim_shared(const ExchangePtr& exchange);
  void start(const ExchangePtr& exchange);
  void decide(const ExchangePtr& exchange);
  void receive(const ExchangePtr& exchange, Result<ProviderAnswer> answer);
  /// The provider's signature over `record`, checked; the proof of the permitted fields kept.
  Status check_signature(Exchange& exchange, const ProviderAnswer& answer);
  static std::string allowed_answer(const Exchange& exchange);
  void deny(const ExchangePtr& exchange, Reason reason, std::string message = {});
  void audit_and_respond(const ExchangePtr& exchange, HttpResponse response);
  void answer_after_audit(const ExchangePtr& exchange, HttpResponse response, std::optional<std::uint64_t> audit_seq,
                          const std::optional<audit::AuditError>& failure);
  void finish(const ExchangePtr& exchange, const HttpResponse& response);
  /// The access notice of an allowed exchange under notify_subject (its audit seq still 0);
  /// std::nullopt otherwise.
  std::optional<DisclosureNotice> disclosure_notice(const Exchange& exchange) const;
  /// Takes a place in the consumer's in-flight count, if its share for `availability` allows.
  bool enter(const std::string& consumer, int availability);
  void leave(const std::string& consumer);

  const policy::PolicyEngine& policies_;
  const consent::ConsentRegistry& consents_;
  audit::AuditLog& audit_;
  ProviderDirectory& providers_;
  Metrics& metrics_;
  ExchangeSettings settings_;
  Clock clock_;
  Post post_;
  OrgAdmission& admission_;
  RateLimiter rate_limiter_;
  IdempotencyCache idempotency_;
  SharedRequests* shared_ = nullptr;
  KeepNotice keep_notice_;
  NotifySubject notify_subject_;
  RegisteredKeys encryption_keys_;
  RegisteredKeys signing_keys_;
  std::mutex in_flight_mutex_;
  std::map<std::string, std::uint32_t, std::less<>> in_flight_;
};

}  // namespace pse::broker
