// A live connection to a provider's connector, as the exchange pipeline sees it: something
// that can be asked for one record and answers once — with the record, an error, or a timeout.
// The WebSocket session (broker/net/connector_session) implements it; the pipeline and the
// directory know nothing of sockets.
#pragma once

#include <pse/record_proof.hpp>
#include <pse/result.hpp>

#include <boost/json/object.hpp>

#include <chrono>
#include <cstddef>
#include <functional>
#include <optional>
#include <string>
#include <vector>

namespace pse::broker {

struct ProviderCall {
  std::string request_id;
  std::string consumer;
  std::string category;
  std::string purpose;
  std::string subject;
  std::vector<std::string> fields;  ///< what the consumer may receive
  std::chrono::milliseconds timeout{5000};
  int availability = 0;  ///< the category's D rating: how much of the connector it may fill
  /// The consumer's public encryption key (base64) when the rule requires end-to-end
  /// encryption: the connector answers with the record sealed for it.
  std::string seal_for;
  /// The category's integrity rating requires a signed record: the connector signs every
  /// field (pse/record_proof.hpp) and sends the signature with the disclosures.
  bool sign = false;
};

/// What a provider answered: a record in clear, or (to a call with `seal_for`) the record
/// sealed for the consumer, which the broker cannot read.
struct ProviderAnswer {
  boost::json::object record;
  std::string sealed;  ///< base64; empty for a record in clear
  std::optional<integrity::SignedRecord> signature;  ///< when the connector signed the record
};

/// Called exactly once: the record, or record_not_found / provider_error /
/// provider_unavailable / provider_timeout. The record may live in the channel's scratch
/// memory: it is valid until the reply returns, so read it there and keep no reference.
using ProviderReply = std::function<void(Result<ProviderAnswer>)>;

class ProviderChannel {
 public:
  virtual ~ProviderChannel() = default;
  virtual void call(ProviderCall call, ProviderReply reply) = 0;
  virtual std::size_t in_flight() const = 0;
  virtual const std::string& provider() const = 0;
};

}  // namespace pse::broker
