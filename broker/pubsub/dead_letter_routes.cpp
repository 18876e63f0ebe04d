#include "broker/pubsub/dead_letter_routes.hpp"

#include "broker/http_target.hpp"
#include "broker/queue/delivery_queue.hpp"
#include "policy/instant.hpp"

#include <boost/json.hpp>

#include <charconv>
#include <chrono>

namespace pse::broker {
namespace json = boost::json;

namespace {

std::optional<std::uint64_t> parse_number(std::string_view text) {
  std::uint64_t value = 0;
  const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (error != std::errc{} || end != text.data() + text.size() || text.empty()) return std::nullopt;
  return value;
}

std::string iso_time(queue::TimePoint at) {
  return policy::format_instant(std::chrono::time_point_cast<std::chrono::seconds>(at));
}

HttpResponse queue_failure(const queue::QueueError& error) {
  if (error.code == queue::QueueErrorCode::not_found) return error_response(Reason::not_found, "no such dead letter");
  return error_response(Reason::internal_error, error.message);
}

}  // namespace

std::optional<HttpResponse> DeadLetterRoutes::handle(const HttpRequest& request) {
  auto target = parse_target(request.target);
  if (!target) return std::nullopt;
  const auto given_subscriber = target->query.find("subscriber");
  const std::string subscriber = given_subscriber == target->query.end() ? "" : given_subscriber->second;

  if (target->matches({"admin", "dead-letters"})) {
    if (request.method != "GET") return error_response(Reason::method_not_allowed);
    std::uint64_t limit = 100;
    if (auto given = target->query.find("limit"); given != target->query.end()) {
      auto parsed = parse_number(given->second);
      if (!parsed || *parsed == 0 || *parsed > 10'000) {
        return error_response(Reason::malformed_request, "limit must be between 1 and 10000");
      }
      limit = *parsed;
    }
    auto dead = queue_.list_dead(subscriber, limit);
    if (!dead) return queue_failure(dead.error());
    json::array items;
    for (const auto& letter : *dead) {
      items.push_back(json::object{{"id", std::to_string(letter.id)},
                                   {"subscriber", letter.subscriber},
                                   {"event_id", letter.event_id},
                                   {"publisher", letter.publisher},
                                   {"category", letter.category},
                                   {"attempts", letter.attempts},
                                   {"stored_at", iso_time(letter.stored_at)},
                                   {"last_error", letter.last_error}});
    }
    return HttpResponse{200, "application/json", json::serialize(json::object{{"dead_letters", std::move(items)}})};
  }

  if (target->matches({"admin", "dead-letters", "replay"})) {
    if (request.method != "POST") return error_response(Reason::method_not_allowed);
    if (subscriber.empty()) return error_response(Reason::malformed_request, "name the subscriber: ?subscriber=<org>");
    auto replayed = queue_.replay_dead_all(subscriber);
    if (!replayed) return queue_failure(replayed.error());
    return HttpResponse{200, "application/json", json::serialize(json::object{{"replayed", *replayed}})};
  }

  if (target->matches({"admin", "dead-letters", "*", "replay"})) {
    if (request.method != "POST") return error_response(Reason::method_not_allowed);
    auto id = parse_number(target->segments[2]);
    if (!id) return error_response(Reason::malformed_request, "a dead letter id is a number");
    auto replayed = queue_.replay_dead(*id);
    if (!replayed) return queue_failure(replayed.error());
    return HttpResponse{200, "application/json", json::serialize(json::object{{"replayed", *replayed}})};
  }
  return std::nullopt;
}

}  // namespace pse::broker
