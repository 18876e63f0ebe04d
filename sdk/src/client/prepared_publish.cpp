#include "client/prepared_publish.hpp"

#include "crypto/key_text.hpp"
#include "integrity/minimised_record.hpp"
#include "seal/sealed_record.hpp"

#include <chrono>

namespace pse {
namespace {

std::optional<seal::Key> recipient_key(const wire::SealingPlan::Recipient& recipient, const PublisherKeys& keys) {
  if (!keys.encryption_keys_dir.empty()) {
    auto registered = crypto::registered_key(keys.encryption_keys_dir, recipient.organisation, "encryption key");
    if (!registered) return std::nullopt;
    return *registered;
  }
  if (!recipient.key) return std::nullopt;
  return seal::decode_key(*recipient.key);
}

}  // namespace

wire::PreparedPublish prepare_publish(const PublishRequest& request, const wire::SealingPlan& plan,
                                      const PublisherKeys& keys) {
  std::optional<integrity::SignedRecord> signature;
  if (keys.signing_key) {
    const auto now = std::chrono::system_clock::now().time_since_epoch();
    signature = integrity::sign_record(
        request.record,
        {"", request.subject, request.category, event_id_for(keys.organisation, request.idempotency_key),
         std::chrono::duration_cast<std::chrono::seconds>(now).count()},
        *keys.signing_key);
  }
  wire::PreparedPublish prepared;
  if (plan.sealed.empty()) {
    prepared.record = request.record;
    prepared.signature = std::move(signature);
    return prepared;
  }
  // A field that only sealed recipients may receive does not travel in clear at all.
  integrity::MinimisedRecord clear;
  if (!plan.clear_fields.empty()) {
    clear = integrity::minimise(request.record, plan.clear_fields, signature);
  } else if (signature) {
    clear.signature = integrity::SignedRecord{signature->jws, {}};
  }
  prepared.sealing = true;
  prepared.record = std::move(clear.record);
  prepared.signature = std::move(clear.signature);
  for (const auto& recipient : plan.sealed) {
    const auto key = recipient_key(recipient, keys);
    if (!key || recipient.fields.empty()) continue;
    integrity::MinimisedRecord kept = integrity::minimise(request.record, recipient.fields, signature);
    if (kept.record.empty()) continue;
    prepared.sealed.push_back({recipient.organisation, recipient.fields, seal::seal_record(kept.record, kept.signature, *key)});
  }
  return prepared;
}

}  // namespace pse
