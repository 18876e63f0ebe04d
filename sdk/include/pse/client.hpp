// pse/client.hpp — the consumer side: ask the broker for a record.
//
// A Client holds a few keep-alive mutual-TLS connections to the broker (or to each broker of the
// hub) and runs exchanges on them (`POST /v1/exchange`) and publishes (`POST /v1/publish`), and,
// for a consent authority, calls to the consent registry. It is safe to share between threads;
// one per process is enough.
//
//     pse::Client client(options);                   // throws if a PEM file is unreadable
//     pse::ExchangeRequest request;
//     request.subject = "QC-1957-0042";
//     request.provider = "etat-civil";
//     request.category = "identity.birth";
//     request.purpose = "pension_eligibility";
//     request.fields = {"surname", "birth_date"};
//
//     pse::Result<pse::ExchangeResponse> answer = client.exchange(request);
//     if (!answer) {
//       // answer.error().reason is a pse::Reason: consent_missing, record_not_found…
//       return;
//     }
//     std::cout << boost::json::serialize(answer->record);
//
// Outcomes are values, never exceptions: a refusal by the broker carries its reason code (the
// `code` of the JSON error body), and a failure to reach the broker at all (DNS, TCP, TLS,
// timeout, connection lost) is `Reason::provider_unavailable` with a message saying what
// failed. Branch on the Reason; the message is for people.
//
// Security: the broker's certificate must be issued by `ca_file` and name `server_name` (or
// `host`); there is no way to turn this verification off.
//
// Several brokers (ClientOptions::brokers): calls are spread over them in turn, each broker
// with its own pool of up to max_connections.
//
// Retries, only where they cannot make anything happen twice:
// - a keep-alive connection the broker has closed while idle is detected when it is next
//   used; the SDK then sends the exchange again once on a new connection (every exchange
//   carries a request id, and the broker answers a repeated id with the first outcome);
// - a broker that cannot be reached: the call goes to the next broker at once; when none can
//   be reached, all are tried again twice more, 50 then 100 ms later (a broker restarting);
// - a 503 that says nothing was done (shutting_down, audit_unavailable, store_unavailable,
//   overloaded, request_in_progress): the next broker at once, then every broker again after
//   50 ms, doubling up to 1 s, until the request timeout;
// - a publish whose connection was lost after it was sent: the next broker, with the same
//   idempotency key, which every broker of the hub recognises; an exchange likewise, with its
//   request id, when the client has several brokers (a hub of several brokers answers an id
//   once, whichever broker each attempt reaches). With one broker, an exchange lost that way
//   is not sent again: its outcome is reported (provider_unavailable), since the broker may
//   have restarted and forgotten the id.
// Policy refusals (4xx) and every other answer are never retried.
#pragma once

#include <pse/client_options.hpp>
#include <pse/exchange.hpp>
#include <pse/publish.hpp>
#include <pse/registry.hpp>
#include <pse/result.hpp>

#include <boost/asio/any_completion_handler.hpp>
#include <boost/asio/async_result.hpp>
#include <boost/json/object.hpp>

#include <memory>
#include <string>
#include <utility>

namespace pse {

class Client {
 public:
  /// Reads the certificate, key and CA files. Throws std::runtime_error naming the file when
  /// one cannot be read or the key does not match the certificate. Connects lazily, on the
  /// first exchange.
  explicit Client(ClientOptions options);
  /// Fails the exchanges still waiting (provider_unavailable, "client shut down"), closes the
  /// connections and joins the client's I/O thread. Do not destroy a Client from inside one
  /// of its own completion handlers.
  ~Client();
  Client(const Client&) = delete;
  Client& operator=(const Client&) = delete;

  /// Runs one exchange and waits for its outcome (at most `request_timeout`). Thread-safe.
  /// Must not be called from an async_exchange completion handler running on the client's own
  /// thread (it would wait for itself): that call returns internal_error at once.
  Result<ExchangeResponse> exchange(const ExchangeRequest& request);

  /// Starts one exchange and returns at once; the outcome goes to `token`, with the completion
  /// signature `void(pse::Result<pse::ExchangeResponse>)`. Any Asio completion token works:
  ///
  ///     client.async_exchange(request, [](pse::Result<pse::ExchangeResponse> answer) { … });
  ///     std::future<pse::Result<pse::ExchangeResponse>> f =
  ///         client.async_exchange(request, boost::asio::use_future);
  ///     auto answer = co_await client.async_exchange(request, boost::asio::use_awaitable);
  ///
  /// The handler runs on its associated executor (e.g. `bind_executor(strand, handler)`), or
  /// else on the client's internal I/O thread: do not block there. It is never run inside this
  /// call. Thread-safe.
  template <typename CompletionToken>
  auto async_exchange(ExchangeRequest request, CompletionToken&& token) {
    return boost::asio::async_initiate<CompletionToken, void(Result<ExchangeResponse>)>(
        [this](auto handler, ExchangeRequest moved_request) {
          start_exchange(std::move(moved_request), ExchangeHandler(std::move(handler)));
        },
        token, std::move(request));
  }

  /// Publishes one event (`POST /v1/publish`) and waits until the broker has made it durable
  /// (202) or refused it. Refusals: malformed_request, unknown_category, unknown_field,
  /// not_category_owner (you may not publish in this category), no_rule (your organisation
  /// lacks the publisher role), payload_too_large, overloaded. A failure to reach the broker
  /// is provider_unavailable: publish again with the same idempotency key — it is safe.
  /// Thread-safe.
  Result<PublishResponse> publish(const PublishRequest& request);

  /// publish() with any Asio completion token; signature `void(pse::Result<pse::PublishResponse>)`.
  /// Same handler rules as async_exchange.
  template <typename CompletionToken>
  auto async_publish(PublishRequest request, CompletionToken&& token) {
    return boost::asio::async_initiate<CompletionToken, void(Result<PublishResponse>)>(
        [this](auto handler, PublishRequest moved_request) {
          start_publish(std::move(moved_request), PublishHandler(std::move(handler)));
        },
        token, std::move(request));
  }

 private:
  // The handler is type-erased here so that the whole implementation stays in the library.
  using ExchangeHandler = boost::asio::any_completion_handler<void(Result<ExchangeResponse>)>;
  void start_exchange(ExchangeRequest request, ExchangeHandler handler);
  using PublishHandler = boost::asio::any_completion_handler<void(Result<PublishResponse>)>;
  void start_publish(PublishRequest request, PublishHandler handler);

 public:
  /// A call to the consent registry, for a consent authority (the broker refuses any other
  /// organisation: not_consent_authority): `target` is a registry_path, with its query if
  /// any; `body` is sent with a POST. The answer's JSON object on any 2xx; a refusal carries
  /// its reason code, as for an exchange. A GET is retried as an exchange is. A POST is never
  /// sent twice: a grant is not idempotent, so one whose connection was lost after it was
  /// sent reports provider_unavailable, its outcome unknown. Blocks (not on the client's own
  /// thread).
  Result<boost::json::object> registry(RegistryMethod method, const std::string& target,
                                       const boost::json::object& body = {});

  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace pse
