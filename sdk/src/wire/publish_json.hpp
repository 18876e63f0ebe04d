// The JSON of publish/subscribe (docs/api/exchange-protocol.md): the body of `POST /v1/publish`
// and its 202 answer, and the connector's `delivery` / `ack` / `nack` messages.
#pragma once

#include <pse/publish.hpp>
#include <pse/record_proof.hpp>
#include <pse/result.hpp>

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace pse::wire {

/// The answer to GET /v1/publish/sealing/{category}: the recipients whose rule requires
/// end_to_end_encryption, each with the fields it receives and its registered key (none when
/// the platform has none), and the fields other rules receive in clear.
struct SealingPlan {
  struct Recipient {
    std::string organisation;
    std::vector<std::string> fields;
    std::optional<std::string> key;  ///< X25519 public key, standard base64
  };
  std::vector<Recipient> sealed;
  std::vector<std::string> clear_fields;
};

Result<SealingPlan> decode_sealing_plan(std::string_view body);

/// A copy of the event sealed for one recipient: {"record":{…}[,"integrity":{…}]} in a sealed box.
struct SealedCopy {
  std::string recipient;
  std::vector<std::string> fields;  ///< as the plan lists them for that recipient
  std::string sealed_record;        ///< base64
};

/// What leaves for POST /v1/publish besides the request's names: the record in clear (only the
/// fields some rule receives in clear when anything is sealed), the publisher's signature with
/// the disclosures of that record's fields, and the sealed copies.
struct PreparedPublish {
  boost::json::object record;
  std::optional<integrity::SignedRecord> signature;
  std::vector<SealedCopy> sealed;
  /// Some recipient's rule requires sealing: "sealed" is sent even when empty (no key to seal
  /// for), which lets `record` be empty too.
  bool sealing = false;
};

std::string encode_publish_request(const PublishRequest& request, const PreparedPublish& prepared);

/// The 202 body. malformed_request (naming the problem) when it breaks the contract.
Result<PublishResponse> decode_publish_response(std::string_view body);

/// The `subscribes` member of a hello.
boost::json::array encode_subscriptions(const std::vector<Subscription>& subscriptions);

std::string encode_ack(std::string_view delivery_id);
std::string encode_nack(std::string_view delivery_id, const Error& error);

}  // namespace pse::wire
