// pse::Client against a fake broker over real mutual TLS: outcomes, errors, keep-alive, retries,
// timeouts, certificate checks, completion tokens and concurrency.
#include "sdk_fixture.hpp"

// GCC 12 with -fsanitize=address reports a false -Wmaybe-uninitialized inside Boost 1.81's
// use_future (an empty std::allocator<void> "used" when the promise is created).
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
#endif

#include <pse/client.hpp>

#include <boost/asio/bind_executor.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/strand.hpp>
#include <boost/asio/use_future.hpp>
#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>

#include <atomic>
#include <thread>

namespace pse::testing {
namespace {
namespace json = boost::json;
using std::chrono::milliseconds;

ExchangeRequest birth_request(std::string subject = "QC-1957-0042") {
  return {std::move(subject), "etat-civil", "identity.birth", "pension_eligibility", {"surname", "birth_date"},
          std::nullopt};
}

// A broker that answers with the subject in the record, so each answer names its question.
FakeAnswer echo_subject(const std::string& body) {
  const auto request = json::parse(body).as_object();
  json::object response{
      {"request_id", request.at("request_id")},
      {"record", json::object{{"surname", "Tremblay"}, {"subject", request.at("subject")}}},
      {"refused_fields", json::array{json::object{{"name", "birth_place"}, {"reason", "field_not_permitted"}}}},
      {"rule_id", "retraite-quebec-birth-pension"},
      {"basis", json::object{{"type", "consent"}, {"reference", "cns_1"}}},
      {"obligations", json::array{"notify_subject"}},
      {"audit_seq", 42},
  };
  return FakeAnswer{200, json::serialize(response)};
}

FakeAnswer refuse(int status, const std::string& code) {
  return FakeAnswer{status, R"({"error": {"code": ")" + code + R"(", "message": "refused by the fake", "request_id": "x"}})"};
}

using ClientTest = SdkFixture;

TEST_F(ClientTest, ExchangeReturnsTheDecodedRecord) {
  broker_.on_exchange(echo_subject);
  Client client(options());
  auto request = birth_request();
  request.request_id = "rq-2026-11-22-0001";
  auto answer = client.exchange(request);
  ASSERT_TRUE(answer) << answer.error().message;
  EXPECT_EQ(answer->request_id, "rq-2026-11-22-0001");
  EXPECT_EQ(answer->record.at("subject").as_string(), "QC-1957-0042");
  EXPECT_EQ(answer->rule_id, "retraite-quebec-birth-pension");
  EXPECT_EQ(answer->audit_seq, 42u);
  ASSERT_EQ(answer->refused_fields.size(), 1u);
  EXPECT_EQ(answer->refused_fields[0].reason, Reason::field_not_permitted);

  const auto bodies = broker_.exchange_bodies();
  ASSERT_EQ(bodies.size(), 1u);
  EXPECT_EQ(json::parse(bodies[0]), json::parse(R"({"request_id": "rq-2026-11-22-0001", "subject": "QC-1957-0042",
      "provider": "etat-civil", "category": "identity.birth", "purpose": "pension_eligibility",
      "fields": ["surname", "birth_date"]})"));
}

TEST_F(ClientTest, AbsentRequestIdIsMadeByTheSdk) {
  broker_.on_exchange(echo_subject);
  Client client(options());
  auto answer = client.exchange(birth_request());
  ASSERT_TRUE(answer) << answer.error().message;
  EXPECT_EQ(answer->request_id.rfind("sdk-", 0), 0u) << answer->request_id;
}

TEST_F(ClientTest, RefusalsMapToTheirReasonWithTheRequestId) {
  const std::pair<int, std::string> refusals[] = {
      {403, "consent_missing"}, {403, "no_rule"}, {404, "record_not_found"}, {429, "rate_limited"},
      {503, "provider_unavailable"}, {504, "provider_timeout"}, {502, "provider_error"}, {400, "unknown_field"}};
  Client client(options());
  for (const auto& [status, code] : refusals) {
    broker_.on_exchange([status = status, code = code](const std::string&) { return refuse(status, code); });
    auto request = birth_request();
    request.request_id = "rq-refused";
    auto answer = client.exchange(request);
    ASSERT_FALSE(answer) << code;
    EXPECT_EQ(to_string(answer.error().reason), code);
    EXPECT_NE(answer.error().message.find("refused by the fake"), std::string::npos) << answer.error().message;
    EXPECT_NE(answer.error().message.find("rq-refused"), std::string::npos) << answer.error().message;
  }
  EXPECT_EQ(broker_.connections(), 1) << "error answers keep the connection alive";
}

TEST_F(ClientTest, ABrokenSuccessBodyIsAProviderError) {
  broker_.on_exchange([](const std::string&) { return FakeAnswer{200, R"({"request_id": "r"})"}; });
  Client client(options());
  auto answer = client.exchange(birth_request());
  ASSERT_FALSE(answer);
  EXPECT_EQ(answer.error().reason, Reason::provider_error);
  EXPECT_NE(answer.error().message.find("record"), std::string::npos) << answer.error().message;
}

TEST_F(ClientTest, OneKeepAliveConnectionServesSequentialExchanges) {
  broker_.on_exchange(echo_subject);
  Client client(options());
  for (int i = 0; i < 5; ++i) ASSERT_TRUE(client.exchange(birth_request()));
  EXPECT_EQ(broker_.connections(), 1);
}

TEST_F(ClientTest, ReconnectsWhenTheBrokerClosesAfterAnAnswer) {
  broker_.on_exchange([](const std::string& body) {
    auto answer = echo_subject(body);
    answer.keep_alive = false;
    return answer;
  });
  Client client(options());
  for (int i = 0; i < 3; ++i) ASSERT_TRUE(client.exchange(birth_request()));
  EXPECT_EQ(broker_.connections(), 3);
}

TEST_F(ClientTest, AnIdleConnectionClosedByTheBrokerIsRetriedTransparently) {
  broker_.on_exchange(echo_subject);
  Client client(options());
  ASSERT_TRUE(client.exchange(birth_request()));
  broker_.drop_http_connections();
  std::this_thread::sleep_for(milliseconds(100));
  auto request = birth_request();
  request.request_id = "rq-retried";
  auto answer = client.exchange(request);
  ASSERT_TRUE(answer) << answer.error().message;
  EXPECT_EQ(answer->request_id, "rq-retried");
  EXPECT_EQ(broker_.connections(), 2);
}

TEST_F(ClientTest, AConnectionLostMidExchangeIsNotRetriedOnAFreshConnection) {
  broker_.on_exchange([](const std::string&) {
    FakeAnswer answer;
    answer.close_without_answer = true;
    return answer;
  });
  Client client(options());
  auto answer = client.exchange(birth_request());
  ASSERT_FALSE(answer);
  EXPECT_EQ(answer.error().reason, Reason::provider_unavailable);
  EXPECT_EQ(broker_.exchange_bodies().size(), 1u);
}

TEST_F(ClientTest, ASlowBrokerEndsInATimeout) {
  broker_.on_exchange([](const std::string& body) {
    auto answer = echo_subject(body);
    answer.delay = milliseconds(3000);
    return answer;
  });
  auto slow = options();
  slow.request_timeout = milliseconds(300);
  Client client(slow);
  const auto started = std::chrono::steady_clock::now();
  auto answer = client.exchange(birth_request());
  const auto took = std::chrono::steady_clock::now() - started;
  ASSERT_FALSE(answer);
  EXPECT_EQ(answer.error().reason, Reason::provider_unavailable);
  EXPECT_NE(answer.error().message.find("300 ms"), std::string::npos) << answer.error().message;
  EXPECT_LT(took, milliseconds(2000));
}

TEST_F(ClientTest, NoBrokerListeningIsProviderUnavailable) {
  auto nowhere = options();
  nowhere.host = "127.0.0.1";
  nowhere.port = 1;  // nothing listens on tcpmux
  Client client(nowhere);
  auto answer = client.exchange(birth_request());
  ASSERT_FALSE(answer);
  EXPECT_EQ(answer.error().reason, Reason::provider_unavailable);
  EXPECT_NE(answer.error().message.find("connect to 127.0.0.1:1"), std::string::npos) << answer.error().message;
}

TEST_F(ClientTest, TheBrokerCertificateMustNameTheHost) {
  broker_.on_exchange(echo_subject);
  auto wrong = options();
  wrong.server_name = "broker.elsewhere.example";
  Client client(wrong);
  auto answer = client.exchange(birth_request());
  ASSERT_FALSE(answer);
  EXPECT_EQ(answer.error().reason, Reason::provider_unavailable);
  EXPECT_NE(answer.error().message.find("TLS handshake"), std::string::npos) << answer.error().message;
  EXPECT_TRUE(broker_.exchange_bodies().empty());
}

TEST_F(ClientTest, ConnectingByAddressVerifiesTheAddress) {
  broker_.on_exchange(echo_subject);
  auto by_address = options();
  by_address.host = "127.0.0.1";  // the test PKI's broker certificate names 127.0.0.1 too
  Client client(by_address);
  auto answer = client.exchange(birth_request());
  EXPECT_TRUE(answer) << answer.error().message;
}

TEST_F(ClientTest, ABrokerFromAnotherCaIsRefused) {
  TestPki other(dir_ / "other-pki");
  broker_.on_exchange(echo_subject);
  auto foreign = options();
  foreign.ca_file = other.ca();
  Client client(foreign);
  auto answer = client.exchange(birth_request());
  ASSERT_FALSE(answer);
  EXPECT_EQ(answer.error().reason, Reason::provider_unavailable);
  EXPECT_NE(answer.error().message.find("certificate verify failed"), std::string::npos) << answer.error().message;
}

TEST_F(ClientTest, UnreadableFilesThrowAtConstruction) {
  auto missing = options();
  missing.certificate_file = dir_ / "nope.crt";
  EXPECT_THROW(Client{missing}, std::runtime_error);
  auto unset = options();
  unset.ca_file.clear();
  EXPECT_THROW(Client{unset}, std::runtime_error);
  auto garbage = options();
  garbage.key_file = dir_.write("garbage.key", "not a key");
  EXPECT_THROW(Client{garbage}, std::runtime_error);
  const auto other = pki_.issue_org("etat-civil");
  auto mismatched = options();
  mismatched.key_file = other.key;
  try {
    Client client(mismatched);
    FAIL() << "a key of another certificate was accepted";
  } catch (const std::runtime_error& error) {
    EXPECT_NE(std::string(error.what()).find("key_file"), std::string::npos) << error.what();
    EXPECT_NE(std::string(error.what()).find("mismatch"), std::string::npos) << error.what();
  }
}

TEST_F(ClientTest, AsyncExchangeWithACallback) {
  broker_.on_exchange(echo_subject);
  Client client(options());
  std::promise<Result<ExchangeResponse>> done;
  client.async_exchange(birth_request("QC-A"), [&done](Result<ExchangeResponse> answer) { done.set_value(std::move(answer)); });
  auto future = done.get_future();
  ASSERT_EQ(future.wait_for(std::chrono::seconds(10)), std::future_status::ready);
  auto answer = future.get();
  ASSERT_TRUE(answer) << answer.error().message;
  EXPECT_EQ(answer->record.at("subject").as_string(), "QC-A");
}

TEST_F(ClientTest, AsyncExchangeWithUseFuture) {
  broker_.on_exchange(echo_subject);
  Client client(options());
  std::future<Result<ExchangeResponse>> future = client.async_exchange(birth_request("QC-F"), boost::asio::use_future);
  ASSERT_EQ(future.wait_for(std::chrono::seconds(10)), std::future_status::ready);
  auto answer = future.get();
  ASSERT_TRUE(answer) << answer.error().message;
  EXPECT_EQ(answer->record.at("subject").as_string(), "QC-F");
}

TEST_F(ClientTest, AsyncExchangeInACoroutine) {
  broker_.on_exchange(echo_subject);
  Client client(options());
  boost::asio::io_context application;
  std::optional<Result<ExchangeResponse>> outcome;
  boost::asio::co_spawn(
      application,
      [&]() -> boost::asio::awaitable<void> {
        outcome = co_await client.async_exchange(birth_request("QC-C"), boost::asio::use_awaitable);
      },
      boost::asio::detached);
  application.run_for(std::chrono::seconds(10));
  ASSERT_TRUE(outcome.has_value());
  ASSERT_TRUE(*outcome) << outcome->error().message;
  EXPECT_EQ((*outcome)->record.at("subject").as_string(), "QC-C");
}

TEST_F(ClientTest, AsyncHandlerRunsOnItsBoundExecutor) {
  broker_.on_exchange(echo_subject);
  Client client(options());
  boost::asio::io_context application;
  auto strand = boost::asio::make_strand(application);
  bool on_strand = false;
  bool called = false;
  client.async_exchange(birth_request(), boost::asio::bind_executor(strand, [&](Result<ExchangeResponse> answer) {
                          called = true;
                          on_strand = strand.running_in_this_thread();
                          EXPECT_TRUE(answer);
                        }));
  // The pending exchange counts as work: run() returns only after the handler ran.
  application.run_for(std::chrono::seconds(10));
  EXPECT_TRUE(called);
  EXPECT_TRUE(on_strand);
}

TEST_F(ClientTest, ParallelExchangesGetTheirOwnAnswers) {
  broker_.on_exchange(echo_subject);
  auto pooled = options();
  pooled.max_connections = 3;
  Client client(pooled);
  constexpr int kThreads = 6;
  constexpr int kEach = 10;
  std::atomic<int> good{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < kEach; ++i) {
        const std::string subject = "QC-" + std::to_string(t) + "-" + std::to_string(i);
        auto answer = client.exchange(birth_request(subject));
        if (answer && answer->record.at("subject").as_string() == subject) ++good;
      }
    });
  }
  // And some asynchronous ones at the same time.
  std::vector<std::future<Result<ExchangeResponse>>> futures;
  for (int i = 0; i < 20; ++i) futures.push_back(client.async_exchange(birth_request("QC-async-" + std::to_string(i)), boost::asio::use_future));
  for (auto& thread : threads) thread.join();
  for (int i = 0; i < 20; ++i) {
    auto answer = futures[static_cast<std::size_t>(i)].get();
    ASSERT_TRUE(answer) << answer.error().message;
    EXPECT_EQ(answer->record.at("subject").as_string(), "QC-async-" + std::to_string(i));
  }
  EXPECT_EQ(good.load(), kThreads * kEach);
  EXPECT_LE(broker_.connections(), 3);
}

TEST_F(ClientTest, DestroyingTheClientCompletesPendingExchanges) {
  broker_.on_exchange([](const std::string& body) {
    auto answer = echo_subject(body);
    answer.delay = milliseconds(5000);
    return answer;
  });
  std::future<Result<ExchangeResponse>> running, waiting;
  {
    auto single = options();
    single.max_connections = 1;
    Client client(single);
    running = client.async_exchange(birth_request(), boost::asio::use_future);
    waiting = client.async_exchange(birth_request(), boost::asio::use_future);
    std::this_thread::sleep_for(milliseconds(300));
  }
  for (auto* future : {&running, &waiting}) {
    ASSERT_EQ(future->wait_for(milliseconds(0)), std::future_status::ready);
    auto answer = future->get();
    ASSERT_FALSE(answer);
    EXPECT_EQ(answer.error().reason, Reason::provider_unavailable);
    EXPECT_EQ(answer.error().message, "client shut down");
  }
}

TEST_F(ClientTest, SynchronousExchangeFromTheClientThreadIsRefused) {
  broker_.on_exchange(echo_subject);
  Client client(options());
  std::promise<Result<ExchangeResponse>> inner;
  client.async_exchange(birth_request(), [&](Result<ExchangeResponse>) { inner.set_value(client.exchange(birth_request())); });
  auto answer = inner.get_future().get();
  ASSERT_FALSE(answer);
  EXPECT_EQ(answer.error().reason, Reason::internal_error);
}

}  // namespace
}  // namespace pse::testing
