// pse/provider.hpp — the provider side: answer the broker's requests for your records.
//
// A Provider keeps one WebSocket (`GET /v1/connect`, over the same mutual TLS as the client)
// open to the broker, declares the data categories it serves, and runs your handler for each
// request the broker routes to it. The broker has already checked policy and consent before
// asking you; `fields` lists what the consumer may receive, so return only those (the SDK drops
// any other field of your record before it leaves your process).
//
//     pse::Provider provider(options);
//     provider.serve({"identity.birth"}, [&](const pse::ProviderRequest& request)
//                                            -> pse::Result<boost::json::object> {
//       auto found = births.find(request.subject);
//       if (found == births.end()) return pse::make_error(pse::Reason::record_not_found);
//       return found->second;   // a JSON object: field name → string, number, bool or null
//     });
//     provider.run();           // or start() … wait_ready() … stop()
//
// Connection: after the upgrade the provider sends `hello`; the broker answers `ready`, or
// `refused` (your organisation lacks the provider role, an unknown category, or a category
// another body owns: not_category_owner). A refusal is final: the provider stops and run() /
// wait_ready() return the broker's reason. Any other loss of the connection (broker restart,
// network) is retried forever with exponential backoff and jitter, from 100 ms up to 10 s;
// requests in flight on a lost connection are failed by the broker, not by you.
//
// Handlers run on a small pool of threads, never on the connection's reader, so a slow handler
// does not stop the connection from answering the broker's pings. At most `max_in_flight`
// requests are outstanding at once (the broker is told so in `hello`).
//
// Subscriptions: the same connection receives the events you subscribed to (subscribe()); see
// pse/publish.hpp. Publishing is done with pse::Client::publish().
//
// Handler errors: return `make_error(Reason::record_not_found)` when you hold no record for the
// subject — the consumer receives 404 record_not_found. Any other error (and any exception your
// handler throws: its text is not sent, it may hold internals) reaches the consumer as
// provider_error.
#pragma once

#include <pse/client_options.hpp>
#include <pse/publish.hpp>
#include <pse/result.hpp>

#include <boost/json/object.hpp>

#include <chrono>
#include <cstddef>
#include <functional>
#include <memory>
#include <string>
#include <vector>

namespace pse {

/// One request from the broker, already allowed by policy and consent.
struct ProviderRequest {
  std::string id;                   ///< the broker's id for this request on this connection
  std::string request_id;           ///< the consumer's exchange id (for your logs)
  std::string consumer;             ///< the organisation that asks, e.g. "retraite-quebec"
  std::string category;             ///< one of the categories you serve
  std::string purpose;              ///< the purpose the consumer stated
  std::string subject;              ///< the citizen, as the consumer knows them
  std::vector<std::string> fields;  ///< the fields the consumer may receive (others are dropped)
  std::chrono::milliseconds timeout{0};  ///< how long the broker waits for your answer
  /// Set when the rule requires end-to-end encryption: the consumer's public encryption key
  /// (base64). The SDK seals your record with it after keeping only `fields`, so that the
  /// broker never holds it in clear; nothing to do in your handler.
  std::string seal_for;
  /// Set when the category's integrity rating requires your signature: the SDK signs every
  /// field your handler returns with ClientOptions::signing_key_file (pse/record_proof.hpp) and
  /// sends the consumer only the proofs of `fields`; nothing to do in your handler.
  bool sign = false;
};

/// Your answer: the record (a JSON object of the permitted fields), or an error.
using ProviderHandler = std::function<Result<boost::json::object>(const ProviderRequest&)>;

/// Handles one delivered event. Return Done once it is safely yours (stored, processed): the SDK
/// acknowledges it and the broker deletes its copy. Return an error (or throw) to nack it: the
/// broker delivers it again later, with backoff, and after too many attempts moves it to its
/// dead-letter queue. Deliveries can repeat (at least once): make the handler idempotent on
/// `event_id`. Deliveries about one subject arrive in publishing order, one at a time.
using DeliveryHandler = std::function<Status(const Delivery&)>;

struct ProviderOptions {
  /// How many requests the broker may send before answers come back (1–1024).
  std::size_t max_in_flight = 64;
  /// Threads that run the handler. Handlers that block on a database want more. 0 runs the
  /// handler on the connection's own thread: no hand-off per request, for handlers that answer
  /// from memory and never block (a blocked handler would stall the whole connection).
  std::size_t handler_threads = 4;
  /// Reconnection delays: the first, and the ceiling of the exponential growth.
  std::chrono::milliseconds reconnect_initial{100};
  std::chrono::milliseconds reconnect_max{10000};
};

class Provider {
 public:
  /// Reads the certificate, key and CA files; throws std::runtime_error naming the file when
  /// one cannot be read. Does not connect yet.
  explicit Provider(ClientOptions options, ProviderOptions provider_options = {});
  /// Stops (see stop()).
  ~Provider();
  Provider(const Provider&) = delete;
  Provider& operator=(const Provider&) = delete;

  /// Declares what to serve and the handler that answers. Call it before run() or start();
  /// the handler must be thread-safe (several requests run at once). A call during a run takes
  /// effect at the next run.
  void serve(std::vector<std::string> categories, ProviderHandler handler);

  /// Declares the categories this connection subscribes to (with the purpose of each) and the
  /// handler of deliveries; sent in `hello`. A connector may serve, subscribe, or both; the
  /// broker refuses a subscription without the subscriber role or for an unknown category.
  /// Call before run() or start(). Events published while you are offline wait in your queue.
  void subscribe(std::vector<Subscription> subscriptions, DeliveryHandler handler);

  /// Connects and serves until stop() (from another thread) or a refusal by the broker.
  /// Returns Done after stop(), the broker's reason after a refusal, malformed_request when
  /// neither serve() nor subscribe() was called, internal_error when already running.
  Status run();

  /// run() on a background thread. Returns at once; see wait_ready().
  Status start();

  /// Closes the connection, waits for running handlers to return (their answers are dropped)
  /// and for the background thread. Idempotent; safe from any thread but a handler's.
  void stop();

  /// Waits until the broker has answered `ready` on the current connection. Returns Done when
  /// connected, the broker's reason after a refusal, or provider_unavailable (with the last
  /// connection error) when `timeout` passes first or the provider has been stopped. Before the
  /// first run() or start() it waits for one to begin.
  Status wait_ready(std::chrono::milliseconds timeout);

 private:
  struct Impl;
  std::shared_ptr<Impl> impl_;
};

}  // namespace pse
