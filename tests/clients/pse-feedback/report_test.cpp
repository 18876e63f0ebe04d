// Reports and the moderator's page: the figures per service, JSON for bodies, and comments
// rendered as inert text whatever they contain.
#include "feedback_config.hpp"
#include "report.hpp"

#include "base/config_error.hpp"
#include "support/temp_dir.hpp"

#include <boost/json.hpp>
#include <gmock/gmock.h>

namespace pse::feedback {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

const ServiceCatalog kCatalog({{"saaq-immatriculation", "saaq", "Immatriculation <SAAQ>", "Registration"},
                               {"ramq-carte", "ramq", "Carte", "Card"}});

FeedbackRecord record(const std::string& service, int rating, bool got, FeedbackStatus status,
                      const std::string& comment = {}) {
  FeedbackRecord r;
  r.id = "fb_" + std::to_string(rating);
  r.service = service;
  r.rating = rating;
  r.got_what_needed = got;
  r.status = status;
  r.comment = comment;
  r.submitted_on = "2026-11-22";
  return r;
}

const char* const kAttacks[] = {
    "<script>alert('xss')</script>",
    "<img src=x onerror=alert(1)>",
    "\"><svg onload=alert(1)>",
    "</textarea></td><script>document.location='//evil'</script>",
    "javascript:alert(1)' onmouseover='alert(2)",
};

TEST(feedback_Report, FiguresPerService) {
  const std::vector<FeedbackRecord> records = {
      record("ramq-carte", 2, false, FeedbackStatus::approved),
      record("saaq-immatriculation", 5, true, FeedbackStatus::approved, "Parfait"),
      record("saaq-immatriculation", 4, true, FeedbackStatus::pending, "en attente"),
      record("saaq-immatriculation", 1, false, FeedbackStatus::escalated),
  };
  const Report report = build_report(records, kCatalog, "2026-11-01", "2026-11-30");
  ASSERT_EQ(report.services.size(), 2U);
  const ServiceStats& saaq = report.services[0];  // catalogue order
  EXPECT_EQ(saaq.service, "saaq-immatriculation");
  EXPECT_EQ(saaq.answers, 3);
  EXPECT_DOUBLE_EQ(saaq.mean_rating, 3.33);
  EXPECT_DOUBLE_EQ(saaq.satisfaction_rate, 0.6667);
  EXPECT_DOUBLE_EQ(saaq.got_what_needed_rate, 0.6667);
  EXPECT_EQ(saaq.ratings, (std::array<int, 5>{1, 0, 0, 1, 1}));
  EXPECT_THAT(saaq.comments, ::testing::ElementsAre("Parfait"));  // approved comments only
  EXPECT_EQ(report.services[1].answers, 1);
  EXPECT_DOUBLE_EQ(report.services[1].satisfaction_rate, 0.0);

  const auto json = boost::json::parse(report_json(report));
  EXPECT_EQ(json.at("from").as_string(), "2026-11-01");
  const auto& first = json.at("services").at(0);
  EXPECT_EQ(first.at("answers").as_int64(), 3);
  EXPECT_DOUBLE_EQ(first.at("mean_rating").as_double(), 3.33);
  EXPECT_EQ(first.at("ratings").as_array().size(), 5U);
  EXPECT_FALSE(first.as_object().contains("comments"));
}

TEST(feedback_Report, HtmlHasAnSvgChartAndNoScript) {
  const Report report = build_report({record("saaq-immatriculation", 5, true, FeedbackStatus::approved)}, kCatalog,
                                     "2026-11-01", "2026-11-30");
  const std::string html = report_html(report, kCatalog);
  EXPECT_THAT(html, HasSubstr("<svg "));
  EXPECT_THAT(html, HasSubstr("role=\"img\""));
  EXPECT_THAT(html, HasSubstr("100.0 %"));
  EXPECT_THAT(html, HasSubstr("Immatriculation &lt;SAAQ&gt;"));
  EXPECT_THAT(html, Not(HasSubstr("<script")));
}

TEST(feedback_Report, CommentsAreInertOnTheReportAndModeratorPages) {
  std::vector<FeedbackRecord> records;
  for (const char* attack : kAttacks) records.push_back(record("saaq-immatriculation", 3, true, FeedbackStatus::approved, attack));
  const std::string report = report_html(build_report(records, kCatalog, "2026-11-01", "2026-11-30"), kCatalog);
  std::vector<FeedbackRecord> waiting;
  for (const char* attack : kAttacks) waiting.push_back(record(attack, 1, false, FeedbackStatus::pending, attack));
  waiting.back().reasons = "<b>profanity</b>";
  const std::string moderation = moderation_html(waiting, kCatalog);
  for (const std::string& page : {report, moderation}) {
    EXPECT_THAT(page, Not(HasSubstr("<script")));
    EXPECT_THAT(page, Not(HasSubstr("<img")));
    EXPECT_THAT(page, Not(HasSubstr("<svg onload")));
    EXPECT_THAT(page, Not(HasSubstr("' onmouseover='")));
    EXPECT_THAT(page, Not(HasSubstr("<b>")));
    EXPECT_THAT(page, HasSubstr("&lt;script&gt;alert(&#39;xss&#39;)&lt;/script&gt;"));
    EXPECT_THAT(page, HasSubstr("default-src 'none'"));  // and a CSP, in case
  }
}

TEST(feedback_Config, ShippedConfigurationLoads) {
  const auto config = load_feedback_config(PSE_SOURCE_DIR "/config/feedback/feedback.yaml");
  EXPECT_EQ(config.listen_port, 8445);
  EXPECT_EQ(config.moderation.threshold, 3);
  EXPECT_EQ(config.profanity_lists.size(), 2U);
  ASSERT_TRUE(config.broker);
  EXPECT_EQ(config.broker->port, 8443);
  const auto services = ServiceCatalog::load(config.services);
  ASSERT_NE(services.find("ramq-carte-assurance-maladie"), nullptr);
  EXPECT_EQ(services.find("ramq-carte-assurance-maladie")->owner, "ramq");
}

TEST(feedback_Config, UnknownKeysAndBadValuesRefusedWithTheLine) {
  testing::TempDir dir;
  const std::string base =
      "listen: {port: 8445}\npublic_url: https://x\ntls: {certificate: a, key: b}\nsigning_key: k\ndatabase: d\n"
      "services: s\nwords: {profanity: [p]}\n";
  EXPECT_NO_THROW(load_feedback_config(dir.write("ok.yaml", base)));
  try {
    load_feedback_config(dir.write("typo.yaml", base + "moderation: {treshold: 3}\n"));
    ADD_FAILURE() << "a typo was accepted";
  } catch (const ConfigError& error) {
    EXPECT_EQ(error.line(), 8);
    EXPECT_THAT(error.what(), HasSubstr("treshold"));
  }
  EXPECT_THROW(load_feedback_config(dir.write("http.yaml", "listen: {port: 1}\npublic_url: http://x\n")), ConfigError);
  EXPECT_THROW(load_feedback_config(dir.write("port.yaml", "listen: {port: 70000}\n")), ConfigError);
}

TEST(feedback_Config, TheConnectionCapIsReadAndChecked) {
  testing::TempDir dir;
  const std::string rest =
      "public_url: https://x\ntls: {certificate: a, key: b}\nsigning_key: k\ndatabase: d\nservices: s\n"
      "words: {profanity: [p]}\n";
  EXPECT_EQ(load_feedback_config(dir.write("default.yaml", "listen: {port: 8445}\n" + rest)).max_connections, 512U);
  EXPECT_EQ(load_feedback_config(dir.write("set.yaml", "listen: {port: 8445, max_connections: 64}\n" + rest)).max_connections,
            64U);
  try {
    load_feedback_config(dir.write("zero.yaml", "listen:\n  port: 8445\n  max_connections: 0\n" + rest));
    ADD_FAILURE() << "a cap of 0 was accepted";
  } catch (const ConfigError& error) {
    EXPECT_EQ(error.line(), 3);
    EXPECT_THAT(error.what(), HasSubstr("listen.max_connections must be between 1 and 100000"));
  }
}

}  // namespace
}  // namespace pse::feedback
