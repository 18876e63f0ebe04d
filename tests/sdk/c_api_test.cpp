// The C ABI (<pse/pse.h>) against the fake broker: handles, strings, JSON in and out, errors.
#include "sdk_fixture.hpp"

#include <pse/pse.h>

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>

#include <memory>

namespace pse::testing {
namespace {
namespace json = boost::json;

/// Owns a string from the library.
struct CString {
  char* text = nullptr;
  ~CString() { pse_string_free(text); }
  std::string str() const { return text == nullptr ? "" : text; }
};

class CApiTest : public SdkFixture {
 protected:
  pse_client_options c_options() const {
    pse_client_options options{};
    options.port = broker_.port();
    options.ca_file = ca_.c_str();
    options.certificate_file = cert_.c_str();
    options.key_file = key_.c_str();
    options.request_timeout_ms = 5000;
    return options;
  }

  std::string ca_ = pki_.ca().string();
  std::string cert_ = organisation_.cert.string();
  std::string key_ = organisation_.key.string();
};

constexpr const char* kRequest = R"({"subject": "QC-1957-0042", "provider": "etat-civil",
  "category": "identity.birth", "purpose": "pension_eligibility", "fields": ["surname"], "request_id": "rq-c"})";

TEST_F(CApiTest, ExchangeReturnsTheResponseJson) {
  broker_.on_exchange([](const std::string&) {
    return FakeAnswer{200, R"({"request_id": "rq-c", "record": {"surname": "Tremblay"}, "refused_fields": [],
        "rule_id": "r", "basis": {"type": "consent", "reference": "cns_1"}, "obligations": [], "audit_seq": 7})"};
  });
  const auto options = c_options();
  CString error;
  std::unique_ptr<pse_client, decltype(&pse_client_free)> client(pse_client_new(&options, &error.text), pse_client_free);
  ASSERT_NE(client, nullptr) << error.str();
  EXPECT_EQ(error.text, nullptr);

  CString response, code, message;
  ASSERT_EQ(pse_exchange(client.get(), kRequest, &response.text, &code.text, &message.text), 0) << message.str();
  EXPECT_EQ(code.text, nullptr);
  const auto body = json::parse(response.str());
  EXPECT_EQ(body.at("record").at("surname").as_string(), "Tremblay");
  EXPECT_EQ(body.at("audit_seq").as_int64(), 7);
  EXPECT_EQ(json::parse(broker_.exchange_bodies().at(0)).at("request_id").as_string(), "rq-c");
}

TEST_F(CApiTest, RefusalReturnsItsStatusAndCode) {
  broker_.on_exchange([](const std::string&) {
    return FakeAnswer{403, R"({"error": {"code": "consent_revoked", "message": "revoked"}})"};
  });
  const auto options = c_options();
  std::unique_ptr<pse_client, decltype(&pse_client_free)> client(pse_client_new(&options, nullptr), pse_client_free);
  ASSERT_NE(client, nullptr);
  CString response, code, message;
  EXPECT_EQ(pse_exchange(client.get(), kRequest, &response.text, &code.text, &message.text), 403);
  EXPECT_EQ(response.text, nullptr);
  EXPECT_EQ(code.str(), "consent_revoked");
  EXPECT_NE(message.str().find("revoked"), std::string::npos);
}

TEST_F(CApiTest, ABadRequestNeverReachesTheBroker) {
  const auto options = c_options();
  std::unique_ptr<pse_client, decltype(&pse_client_free)> client(pse_client_new(&options, nullptr), pse_client_free);
  ASSERT_NE(client, nullptr);
  for (const char* request : {"not json", R"({"subject": "s"})",
                              R"({"subject": "s", "provider": "p", "category": "c", "purpose": "u", "consumer": "x"})"}) {
    CString code, message;
    EXPECT_EQ(pse_exchange(client.get(), request, nullptr, &code.text, &message.text), 400) << request;
    EXPECT_EQ(code.str(), "malformed_request");
  }
  CString code;
  EXPECT_EQ(pse_exchange(client.get(), nullptr, nullptr, &code.text, nullptr), 400);
  EXPECT_EQ(pse_exchange(nullptr, kRequest, nullptr, nullptr, nullptr), 400);
  EXPECT_TRUE(broker_.exchange_bodies().empty());
}

TEST_F(CApiTest, UnreadableFilesGiveNullAndAMessage) {
  auto options = c_options();
  options.key_file = "/nonexistent/org.key";
  CString error;
  EXPECT_EQ(pse_client_new(&options, &error.text), nullptr);
  EXPECT_NE(error.str().find("/nonexistent/org.key"), std::string::npos) << error.str();
  CString null_options;
  EXPECT_EQ(pse_client_new(nullptr, &null_options.text), nullptr);
  EXPECT_FALSE(null_options.str().empty());
  pse_client_free(nullptr);
  pse_string_free(nullptr);
}

void answer_births(void* user_data, const char* request_json, pse_reply* reply) {
  ++*static_cast<int*>(user_data);
  const auto request = json::parse(request_json).as_object();
  if (request.at("subject").as_string() == "QC-1957-0042") {
    pse_reply_record(reply, R"({"surname": "Tremblay"})");
  } else if (request.at("subject").as_string() == "QC-1958-0311") {
    // A list field (a repeating group), kept by the SDK to the sub-fields asked for.
    pse_reply_record(reply, R"({"surname": "Roy", "children": [{"given_names": "Léa", "birth_date": "2012-04-01"},
                                                               {"given_names": "Jules", "birth_date": "2015-09-30"}]})");
  } else if (request.at("subject").as_string() == "silent") {
    // No reply at all.
  } else {
    pse_reply_error(reply, "record_not_found", "no such citizen");
  }
}

TEST_F(CApiTest, ProviderAnswersThroughTheCallback) {
  const auto etat_civil = pki_.issue_org("etat-civil");
  const std::string cert = etat_civil.cert.string(), key = etat_civil.key.string();
  auto options = c_options();
  options.certificate_file = cert.c_str();
  options.key_file = key.c_str();
  const char* categories[] = {"identity.birth"};
  int calls = 0;
  CString error;
  pse_provider* provider = pse_provider_new(&options, categories, 1, answer_births, &calls, &error.text);
  ASSERT_NE(provider, nullptr) << error.str();
  ASSERT_EQ(pse_provider_start(provider, nullptr, nullptr), 0);
  CString code, message;
  ASSERT_EQ(pse_provider_wait_ready(provider, 5000, &code.text, &message.text), 0) << message.str();
  ASSERT_TRUE(broker_.next_from_connector(std::chrono::seconds(5)));  // hello

  auto frame = [](const char* id, const char* subject, const char* fields = R"(["surname"])") {
    return std::string(R"({"type": "request", "id": ")") + id + R"(", "request_id": "r", "consumer": "c",
        "category": "identity.birth", "purpose": "p", "subject": ")" + subject + R"(", "fields": )" + fields +
        R"(, "timeout_ms": 1000})";
  };
  broker_.send_to_connectors(frame("x-1", "QC-1957-0042"));
  EXPECT_EQ(json::parse(broker_.next_from_connector(std::chrono::seconds(5)).value_or("{}")),
            json::parse(R"({"type": "response", "id": "x-1", "record": {"surname": "Tremblay"}})"));
  broker_.send_to_connectors(frame("x-2", "nobody"));
  EXPECT_EQ(json::parse(broker_.next_from_connector(std::chrono::seconds(5)).value_or("{}")).at("error").at("code"),
            "record_not_found");
  broker_.send_to_connectors(frame("x-3", "silent"));
  EXPECT_EQ(json::parse(broker_.next_from_connector(std::chrono::seconds(5)).value_or("{}")).at("error").at("code"),
            "provider_error");
  broker_.send_to_connectors(frame("x-4", "QC-1958-0311", R"(["children.given_names"])"));
  EXPECT_EQ(json::parse(broker_.next_from_connector(std::chrono::seconds(5)).value_or("{}")),
            json::parse(R"({"type": "response", "id": "x-4",
                            "record": {"children": [{"given_names": "Léa"}, {"given_names": "Jules"}]}})"));
  pse_provider_stop(provider);
  pse_provider_free(provider);
  EXPECT_EQ(calls, 4);
}

TEST_F(CApiTest, ProviderNeedsCategoriesAndAHandler) {
  const auto options = c_options();
  CString error;
  EXPECT_EQ(pse_provider_new(&options, nullptr, 0, answer_births, nullptr, &error.text), nullptr);
  EXPECT_FALSE(error.str().empty());
}

}  // namespace
}  // namespace pse::testing
