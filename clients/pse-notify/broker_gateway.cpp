#include "broker_gateway.hpp"

#include <boost/json/parse.hpp>

namespace pse::notify {

Result<ContactPreferences> BrokerGateway::preferences(const std::string& subject, const std::string& purpose) {
  ExchangeRequest request;
  request.subject = subject;
  request.provider = kPreferencesProvider;
  request.category = kPreferencesCategory;
  request.purpose = purpose;
  auto answer = client_.exchange(request);
  if (!answer) return answer.error();
  auto parsed = parse_contact_preferences(answer->record);
  if (!parsed) return make_error(Reason::record_not_found, "contact preferences unusable: " + parsed.error());
  return *parsed;
}

Status BrokerGateway::publish(const StatusRow& status) {
  PublishRequest request;
  request.category = kStatusCategory;
  request.subject = status.subject;
  request.idempotency_key = status.idempotency_key;
  boost::system::error_code ec;
  auto record = boost::json::parse(status.record_json, ec);
  if (ec || !record.is_object()) return make_error(Reason::internal_error, "corrupt status in the outbox");
  request.record = record.as_object();
  request.to = {status.publisher};
  auto answer = client_.publish(request);
  if (!answer) return answer.error();
  return Done{};
}

}  // namespace pse::notify
