// pse::Provider against a fake broker over real mutual TLS: hello/ready, answers, refusal,
// reconnection, handler isolation, max_in_flight, malformed requests, stop.
#include "sdk_fixture.hpp"

#include <pse/provider.hpp>

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>

#include <atomic>
#include <future>
#include <latch>
#include <thread>

namespace pse::testing {
namespace {
namespace json = boost::json;
using std::chrono::milliseconds;

std::string request_frame(const std::string& id, const std::string& subject) {
  return R"({"type": "request", "id": ")" + id + R"(", "request_id": "rq-)" + id +
         R"(", "consumer": "retraite-quebec", "category": "identity.birth", "purpose": "pension_eligibility",
             "subject": ")" + subject + R"(", "fields": ["surname"], "timeout_ms": 5000})";
}

bool eventually(const std::function<bool()>& condition, milliseconds timeout = milliseconds(5000)) {
  const auto until = std::chrono::steady_clock::now() + timeout;
  while (std::chrono::steady_clock::now() < until) {
    if (condition()) return true;
    std::this_thread::sleep_for(milliseconds(10));
  }
  return condition();
}

Result<json::object> births(const ProviderRequest& request) {
  if (request.subject == "QC-1957-0042") return json::object{{"surname", "Tremblay"}};
  if (request.subject == "throws") throw std::runtime_error("database down");
  if (request.subject == "fails") return make_error(Reason::internal_error, "legacy system error");
  return make_error(Reason::record_not_found, "no such citizen");
}

class ProviderTest : public SdkFixture {
 protected:
  ProviderTest() {
    provider_options_.reconnect_initial = milliseconds(20);
    provider_options_.reconnect_max = milliseconds(200);
  }

  /// The next frame from the connector, parsed; fails the test when none comes.
  json::object next_frame() {
    auto text = broker_.next_from_connector(milliseconds(5000));
    if (!text) {
      ADD_FAILURE() << "no frame from the connector";
      return {};
    }
    return json::parse(*text).as_object();
  }

  /// Starts `provider`, waits for ready and consumes the hello.
  void start_ready(Provider& provider) {
    ASSERT_TRUE(provider.start());
    auto ready = provider.wait_ready(milliseconds(5000));
    ASSERT_TRUE(ready) << ready.error().message;
    EXPECT_EQ(next_frame().at("type").as_string(), "hello");
  }

  ProviderOptions provider_options_;
  ClientIdentity etat_civil_ = pki_.issue_org("etat-civil");
};

TEST_F(ProviderTest, SaysHelloAndAnswersRequests) {
  provider_options_.max_in_flight = 8;
  Provider provider(options_for(etat_civil_), provider_options_);
  provider.serve({"identity.birth", "identity.death"}, births);
  ASSERT_TRUE(provider.start());
  ASSERT_TRUE(provider.wait_ready(milliseconds(5000)));
  EXPECT_EQ(next_frame(), json::parse(R"({"type": "hello", "serves": ["identity.birth", "identity.death"],
                                          "max_in_flight": 8, "batch": true})"));

  broker_.send_to_connectors(request_frame("x-1", "QC-1957-0042"));
  EXPECT_EQ(next_frame(), json::parse(R"({"type": "response", "id": "x-1", "record": {"surname": "Tremblay"}})"));

  broker_.send_to_connectors(request_frame("x-2", "QC-unknown"));
  EXPECT_EQ(next_frame(), json::parse(R"({"type": "response", "id": "x-2",
      "error": {"code": "record_not_found", "message": "no such citizen"}})"));
  provider.stop();
}

// Once the broker's ready says "batch", a frame may hold several requests, one per line, and
// answers that queue during a write leave together. Handlers on the connection's thread answer
// a whole frame within one read, so all but the first answer queue behind the first write.
TEST_F(ProviderTest, FramesOfSeveralMessagesGoBothWaysOnceTheBrokerSaysBatch) {
  broker_.on_hello(HelloAnswer::ready_batch);
  provider_options_.handler_threads = 0;
  Provider provider(options_for(etat_civil_), provider_options_);
  provider.serve({"identity.birth"}, births);
  start_ready(provider);
  constexpr int kRequests = 10;
  std::string frame;
  for (int i = 0; i < kRequests; ++i) {
    if (i > 0) frame += '\n';
    frame += json::serialize(json::parse(request_frame("x-" + std::to_string(i), "QC-1957-0042")));
  }
  broker_.send_to_connectors(frame);
  std::vector<std::string> answered;
  int frames = 0;
  while (answered.size() < kRequests) {
    auto text = broker_.next_from_connector(milliseconds(5000));
    ASSERT_TRUE(text) << "answered " << answered.size();
    ++frames;
    std::string_view rest = *text;
    while (true) {
      const std::size_t end = rest.find('\n');
      const json::object answer = json::parse(rest.substr(0, end)).as_object();
      EXPECT_EQ(answer.at("record"), json::parse(R"({"surname": "Tremblay"})"));
      answered.emplace_back(answer.at("id").as_string());
      if (end == std::string_view::npos) break;
      rest.remove_prefix(end + 1);
    }
  }
  for (int i = 0; i < kRequests; ++i) EXPECT_EQ(answered[static_cast<std::size_t>(i)], "x-" + std::to_string(i));
  EXPECT_EQ(frames, 3);  // the first answer alone; of the nine that queued behind it, 8 together, then 1
  provider.stop();
}

TEST_F(ProviderTest, FieldsTheConsumerMayNotReceiveNeverLeave) {
  Provider provider(options_for(etat_civil_), provider_options_);
  provider.serve({"identity.birth"}, [](const ProviderRequest&) -> Result<json::object> {
    return json::object{{"surname", "Tremblay"}, {"birth_place", "Chicoutimi"}, {"health_number", "TREM57031412"}};
  });
  start_ready(provider);
  broker_.send_to_connectors(request_frame("x-1", "QC-1957-0042"));  // fields: ["surname"]
  EXPECT_EQ(next_frame(), json::parse(R"({"type": "response", "id": "x-1", "record": {"surname": "Tremblay"}})"));
}

// handler_threads = 0: the handler runs on the connection's thread; answers and minimisation
// are the same, and a handler that throws is still an error response.
TEST_F(ProviderTest, HandlersCanRunOnTheConnectionsOwnThread) {
  provider_options_.handler_threads = 0;
  Provider provider(options_for(etat_civil_), provider_options_);
  std::atomic<int> calls{0};
  provider.serve({"identity.birth"}, [&calls](const ProviderRequest& request) -> Result<json::object> {
    ++calls;
    if (request.subject == "throws") throw std::runtime_error("database down");
    return json::object{{"surname", "Tremblay"}, {"health_number", "TREM57031412"}};
  });
  start_ready(provider);
  for (int i = 0; i < 3; ++i) {
    const std::string id = "x-" + std::to_string(i);
    broker_.send_to_connectors(request_frame(id, "QC-1957-0042"));  // fields: ["surname"]
    EXPECT_EQ(next_frame(), json::parse(R"({"type": "response", "id": ")" + id + R"(", "record": {"surname": "Tremblay"}})"));
  }
  broker_.send_to_connectors(request_frame("x-9", "throws"));
  EXPECT_EQ(next_frame().at("error").at("code").as_string(), "provider_error");
  EXPECT_EQ(calls.load(), 4);
  provider.stop();
}

TEST_F(ProviderTest, TheHandlerSeesTheWholeRequest) {
  std::promise<ProviderRequest> seen;
  Provider provider(options_for(etat_civil_), provider_options_);
  provider.serve({"identity.birth"}, [&seen](const ProviderRequest& request) -> Result<json::object> {
    seen.set_value(request);
    return json::object{};
  });
  start_ready(provider);
  broker_.send_to_connectors(request_frame("x-7", "QC-1957-0042"));
  auto future = seen.get_future();
  ASSERT_EQ(future.wait_for(std::chrono::seconds(5)), std::future_status::ready);
  const auto request = future.get();
  EXPECT_EQ(request.id, "x-7");
  EXPECT_EQ(request.request_id, "rq-x-7");
  EXPECT_EQ(request.consumer, "retraite-quebec");
  EXPECT_EQ(request.category, "identity.birth");
  EXPECT_EQ(request.purpose, "pension_eligibility");
  EXPECT_EQ(request.subject, "QC-1957-0042");
  EXPECT_EQ(request.fields, std::vector<std::string>{"surname"});
  EXPECT_EQ(request.timeout, milliseconds(5000));
}

TEST_F(ProviderTest, HandlerFailuresBecomeErrorResponses) {
  Provider provider(options_for(etat_civil_), provider_options_);
  provider.serve({"identity.birth"}, births);
  start_ready(provider);
  broker_.send_to_connectors(request_frame("x-1", "throws"));
  auto thrown = next_frame();
  EXPECT_EQ(thrown.at("id").as_string(), "x-1");
  EXPECT_EQ(thrown.at("error").at("code").as_string(), "provider_error");
  EXPECT_EQ(thrown.at("error").at("message").as_string(), "the provider's handler failed")
      << "an exception's text may hold internals and is not sent";

  broker_.send_to_connectors(request_frame("x-2", "fails"));
  auto failed = next_frame();
  EXPECT_EQ(failed.at("error").at("code").as_string(), "internal_error");
}

TEST_F(ProviderTest, AMalformedRequestIsAnsweredWithAnError) {
  Provider provider(options_for(etat_civil_), provider_options_);
  provider.serve({"identity.birth"}, births);
  start_ready(provider);
  broker_.send_to_connectors(R"({"type": "request", "id": "x-9", "subject": 12})");
  broker_.send_to_connectors("not even json");
  broker_.send_to_connectors(request_frame("x-10", "QC-1957-0042"));
  auto malformed = next_frame();
  EXPECT_EQ(malformed.at("id").as_string(), "x-9");
  EXPECT_EQ(malformed.at("error").at("code").as_string(), "malformed_request");
  // The garbage frame is ignored and the connection goes on.
  EXPECT_EQ(next_frame().at("id").as_string(), "x-10");
}

TEST_F(ProviderTest, ARefusalStopsTheProviderWithTheBrokersReason) {
  broker_.on_hello(HelloAnswer::refused_not_owner);
  Provider provider(options_for(etat_civil_), provider_options_);
  provider.serve({"identity.birth"}, births);
  auto run = std::async(std::launch::async, [&provider] { return provider.run(); });
  auto ready = provider.wait_ready(milliseconds(5000));
  ASSERT_FALSE(ready);
  EXPECT_EQ(ready.error().reason, Reason::not_category_owner);
  ASSERT_EQ(run.wait_for(std::chrono::seconds(5)), std::future_status::ready);
  auto outcome = run.get();
  ASSERT_FALSE(outcome);
  EXPECT_EQ(outcome.error().reason, Reason::not_category_owner);
  EXPECT_EQ(outcome.error().message, "identity.birth belongs to etat-civil");
  EXPECT_EQ(broker_.connections(), 1) << "a refusal is final: no reconnection";
}

TEST_F(ProviderTest, ReconnectsAfterTheConnectionDrops) {
  Provider provider(options_for(etat_civil_), provider_options_);
  provider.serve({"identity.birth"}, births);
  start_ready(provider);
  broker_.drop_connectors();
  ASSERT_TRUE(eventually([&] { return broker_.connections() >= 2 && broker_.ready_connectors() == 1; }));
  ASSERT_TRUE(provider.wait_ready(milliseconds(5000)));
  EXPECT_EQ(next_frame().at("type").as_string(), "hello");
  broker_.send_to_connectors(request_frame("x-1", "QC-1957-0042"));
  EXPECT_EQ(next_frame().at("id").as_string(), "x-1");
}

TEST_F(ProviderTest, KeepsRetryingWhileTheBrokerIsAway) {
  auto nowhere = options_for(etat_civil_);
  nowhere.host = "127.0.0.1";
  nowhere.port = 1;
  Provider provider(nowhere, provider_options_);
  provider.serve({"identity.birth"}, births);
  ASSERT_TRUE(provider.start());
  auto ready = provider.wait_ready(milliseconds(500));
  ASSERT_FALSE(ready);
  EXPECT_EQ(ready.error().reason, Reason::provider_unavailable);
  EXPECT_NE(ready.error().message.find("connect to 127.0.0.1:1"), std::string::npos) << ready.error().message;
  const auto started = std::chrono::steady_clock::now();
  provider.stop();
  EXPECT_LT(std::chrono::steady_clock::now() - started, milliseconds(2000));
}

TEST_F(ProviderTest, AnUpgradeRefusedOverHttpIsReportedWithItsReason) {
  broker_.refuse_upgrade(FakeAnswer{403, R"({"error": {"code": "unknown_org", "message": "etat-civil is not registered"}})"});
  Provider provider(options_for(etat_civil_), provider_options_);
  provider.serve({"identity.birth"}, births);
  ASSERT_TRUE(provider.start());
  ASSERT_TRUE(eventually([&] { return broker_.connections() >= 2; })) << "it keeps retrying";
  auto ready = provider.wait_ready(milliseconds(10));
  ASSERT_FALSE(ready);
  EXPECT_EQ(ready.error().reason, Reason::provider_unavailable);
  EXPECT_NE(ready.error().message.find("HTTP 403"), std::string::npos) << ready.error().message;
  EXPECT_NE(ready.error().message.find("unknown_org: etat-civil is not registered"), std::string::npos)
      << ready.error().message;
}

TEST_F(ProviderTest, ABrokerThatNeverSaysReadyIsLeftAndRetried) {
  broker_.on_hello(HelloAnswer::nothing);
  auto impatient = options_for(etat_civil_);
  impatient.connect_timeout = milliseconds(300);
  Provider provider(impatient, provider_options_);
  provider.serve({"identity.birth"}, births);
  ASSERT_TRUE(provider.start());
  ASSERT_TRUE(eventually([&] { return broker_.connections() >= 2; }));
  auto ready = provider.wait_ready(milliseconds(10));
  ASSERT_FALSE(ready);
  EXPECT_NE(ready.error().message.find("did not answer hello"), std::string::npos) << ready.error().message;
}

TEST_F(ProviderTest, ASlowHandlerDoesNotHoldUpOthers) {
  Provider provider(options_for(etat_civil_), provider_options_);
  provider.serve({"identity.birth"}, [](const ProviderRequest& request) -> Result<json::object> {
    if (request.subject == "slow") std::this_thread::sleep_for(milliseconds(1500));
    return json::object{{"subject", request.subject}};
  });
  start_ready(provider);
  broker_.send_to_connectors(request_frame("x-slow", "slow"));
  broker_.send_to_connectors(request_frame("x-fast", "fast"));
  EXPECT_EQ(next_frame().at("id").as_string(), "x-fast");
  EXPECT_EQ(next_frame().at("id").as_string(), "x-slow");
}

TEST_F(ProviderTest, RequestsBeyondMaxInFlightAreAnsweredOverloaded) {
  provider_options_.max_in_flight = 1;
  std::latch release(1);
  Provider provider(options_for(etat_civil_), provider_options_);
  provider.serve({"identity.birth"}, [&release](const ProviderRequest&) -> Result<json::object> {
    release.wait();
    return json::object{};
  });
  start_ready(provider);
  broker_.send_to_connectors(request_frame("x-1", "a"));
  broker_.send_to_connectors(request_frame("x-2", "b"));
  auto overloaded = next_frame();
  EXPECT_EQ(overloaded.at("id").as_string(), "x-2");
  EXPECT_EQ(overloaded.at("error").at("code").as_string(), "overloaded");
  release.count_down();
  EXPECT_EQ(next_frame().at("id").as_string(), "x-1");
}

TEST_F(ProviderTest, StopWaitsForRunningHandlers) {
  std::atomic<bool> returned{false};
  std::promise<void> entered;
  Provider provider(options_for(etat_civil_), provider_options_);
  provider.serve({"identity.birth"}, [&](const ProviderRequest&) -> Result<json::object> {
    entered.set_value();
    std::this_thread::sleep_for(milliseconds(300));
    returned = true;
    return json::object{};
  });
  start_ready(provider);
  broker_.send_to_connectors(request_frame("x-1", "a"));
  ASSERT_EQ(entered.get_future().wait_for(std::chrono::seconds(5)), std::future_status::ready);
  provider.stop();
  EXPECT_TRUE(returned.load());
  auto ready = provider.wait_ready(milliseconds(10));
  EXPECT_FALSE(ready);
}

TEST_F(ProviderTest, RunWithoutServeIsRefused) {
  Provider provider(options_for(etat_civil_), provider_options_);
  auto run = provider.run();
  ASSERT_FALSE(run);
  EXPECT_EQ(run.error().reason, Reason::malformed_request);
  auto start = provider.start();
  ASSERT_FALSE(start);
  EXPECT_EQ(start.error().reason, Reason::malformed_request);
}

TEST_F(ProviderTest, StartTwiceIsRefusedAndStopIsIdempotent) {
  Provider provider(options_for(etat_civil_), provider_options_);
  provider.serve({"identity.birth"}, births);
  start_ready(provider);
  auto again = provider.start();
  ASSERT_FALSE(again);
  EXPECT_EQ(again.error().reason, Reason::internal_error);
  provider.stop();
  provider.stop();
}

TEST_F(ProviderTest, CanStartAgainAfterStop) {
  Provider provider(options_for(etat_civil_), provider_options_);
  provider.serve({"identity.birth"}, births);
  start_ready(provider);
  provider.stop();
  start_ready(provider);
  broker_.send_to_connectors(request_frame("x-1", "QC-1957-0042"));
  EXPECT_EQ(next_frame().at("id").as_string(), "x-1");
}

}  // namespace
}  // namespace pse::testing
