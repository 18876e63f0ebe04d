#include "notice_template.hpp"
#include "renderer.hpp"

#include "base/config_error.hpp"
#include "support/temp_dir.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace pse::notify {
namespace {

using ::testing::HasSubstr;
using pse::testing::TempDir;

const char* const kGood = R"yaml(templates:
  - id: renewal
    category: notice.renewal_due
    placeholders: [service_name, due_date]
    email:
      bilingual_subject: true
      subject:
        fr: "Rappel : ((service_name))"
        en: "Reminder: ((service_name))"
      body:
        fr: |
          Bonjour,

          Votre ((service_name)) expire le ((due_date)).
        en: |
          Hello,

          Your ((service_name)) expires on ((due_date)).
    sms:
      fr: "Votre ((service_name)) expire le ((due_date))."
      en: "Your ((service_name)) expires on ((due_date))."
)yaml";

// Loads `text` and returns the ConfigError it raises ("" file and line 0 when none).
std::pair<int, std::string> load_error(const std::string& text) {
  TempDir dir;
  const auto file = dir.write("templates.yaml", text);
  try {
    TemplateSet::load(file);
  } catch (const ConfigError& error) {
    EXPECT_EQ(error.file(), file);
    return {error.line(), error.reason()};
  }
  return {0, ""};
}

std::string replace(std::string text, const std::string& from, const std::string& to) {
  const auto at = text.find(from);
  EXPECT_NE(at, std::string::npos) << from;
  return text.replace(at, from.size(), to);
}

TEST(NotifyTemplates, TheShippedTemplatesLoad) {
  const TemplateSet set = TemplateSet::load(PSE_SOURCE_DIR "/config/notify/templates.yaml");
  ASSERT_NE(set.find("renewal-reminder"), nullptr);
  ASSERT_NE(set.find("payment-suggestion"), nullptr);
  EXPECT_TRUE(set.find("payment-suggestion")->suggestion);
  EXPECT_EQ(set.find("nope"), nullptr);
}

TEST(NotifyTemplates, AGoodFileLoads) {
  EXPECT_EQ(load_error(kGood).second, "");
}

TEST(NotifyTemplates, UnknownPlaceholderInABlockScalarNamesItsLine) {
  auto [line, reason] = load_error(replace(kGood, "Your ((service_name)) expires", "Your ((servce_name)) expires"));
  EXPECT_EQ(line, 18);
  EXPECT_THAT(reason, HasSubstr("unknown placeholder 'servce_name'"));
  EXPECT_THAT(reason, HasSubstr("email.body.en"));
}

TEST(NotifyTemplates, UnknownPlaceholderInAQuotedScalarNamesItsLine) {
  auto [line, reason] = load_error(replace(kGood, "Rappel : ((service_name))", "Rappel : ((amount))"));
  EXPECT_EQ(line, 8);
  EXPECT_THAT(reason, HasSubstr("unknown placeholder 'amount'"));
}

TEST(NotifyTemplates, DeclaredPlaceholderThatIsNoNoticeFieldIsRefused) {
  auto [line, reason] = load_error(replace(kGood, "[service_name, due_date]", "[service_name, due_date,\n      citizen_name]"));
  EXPECT_EQ(line, 5);
  EXPECT_THAT(reason, HasSubstr("unknown placeholder 'citizen_name'"));
}

TEST(NotifyTemplates, PlaceholderMissingFromOneLanguageIsRefused) {
  auto [line, reason] = load_error(replace(kGood, "en: \"Your ((service_name)) expires on ((due_date)).\"",
                                           "en: \"Your ((service_name)) expires soon.\""));
  EXPECT_EQ(line, 21);
  EXPECT_THAT(reason, HasSubstr("missing placeholder 'due_date'"));
  EXPECT_THAT(reason, HasSubstr("sms.en"));
}

TEST(NotifyTemplates, UnclosedPlaceholderIsRefused) {
  auto [line, reason] = load_error(replace(kGood, "Votre ((service_name)) expire le ((due_date)).\"",
                                           "Votre ((service_name expire le ((due_date)).\""));
  EXPECT_EQ(line, 20);
  EXPECT_THAT(reason, HasSubstr("bad placeholder name"));
}

TEST(NotifyTemplates, MissingLanguageUnknownKeyAndDuplicateIdAreRefused) {
  auto missing = load_error(replace(kGood, "      en: \"Your ((service_name)) expires on ((due_date)).\"\n", ""));
  EXPECT_THAT(missing.second, HasSubstr("sms.en is required"));
  auto unknown = load_error(replace(kGood, "    category:", "    colour: blue\n    category:"));
  EXPECT_THAT(unknown.second, HasSubstr("colour"));
  EXPECT_EQ(unknown.first, 3);
  std::string twice = kGood;
  twice += std::string(kGood).substr(std::string(kGood).find("  - id"));
  auto duplicate = load_error(twice);
  EXPECT_THAT(duplicate.second, HasSubstr("defined twice"));
  EXPECT_EQ(duplicate.first, 22);
}

class NotifyRendering : public ::testing::Test {
 protected:
  void SetUp() override { set_ = TemplateSet::load(dir_.write("t.yaml", kGood)); }
  const NoticeTemplate& renewal() const { return *set_->find("renewal"); }
  TempDir dir_;
  std::optional<TemplateSet> set_;
};

TEST_F(NotifyRendering, EmailInTheCitizensLanguageWithBothSubjects) {
  Values values{{"service_name", "permis de conduire"}, {"due_date", "2026-12-24"}};
  auto fr = render_email(renewal(), Language::fr, values);
  ASSERT_TRUE(fr);
  EXPECT_EQ(fr->subject, "Rappel : permis de conduire / Reminder: permis de conduire");
  EXPECT_EQ(fr->text_body, "Bonjour,\n\nVotre permis de conduire expire le 2026-12-24.\n");
  auto en = render_email(renewal(), Language::en, values);
  ASSERT_TRUE(en);
  EXPECT_EQ(en->subject, "Reminder: permis de conduire / Rappel : permis de conduire");
  EXPECT_THAT(en->html_body, HasSubstr("<html lang=\"en\">"));
  EXPECT_THAT(en->html_body, HasSubstr("<p>Hello,</p>\n<p>Your permis de conduire expires on 2026-12-24.</p>"));
}

TEST_F(NotifyRendering, ValuesAreEscapedForEachChannel) {
  Values values{{"service_name", "<b>permis</b> & co\r\nBcc: x@y.z"}, {"due_date", "2026-12-24"}};
  auto email = render_email(renewal(), Language::fr, values);
  ASSERT_TRUE(email);
  EXPECT_EQ(email->subject.find('\n'), std::string::npos);
  EXPECT_EQ(email->subject.find('\r'), std::string::npos);
  EXPECT_THAT(email->html_body, HasSubstr("&lt;b&gt;permis&lt;/b&gt; &amp; co  Bcc: x@y.z"));
  EXPECT_EQ(email->html_body.find("<b>"), std::string::npos);
  auto sms = render_sms(renewal(), Language::fr, values, 3);
  ASSERT_TRUE(sms);
  EXPECT_EQ(sms->text, "Votre <b>permis</b> & co  Bcc: x@y.z expire le 2026-12-24.");
}

TEST_F(NotifyRendering, MissingOrInvalidValuesAreRefusedByName) {
  auto missing = render_email(renewal(), Language::fr, {{"service_name", "permis"}});
  ASSERT_FALSE(missing);
  EXPECT_EQ(missing.error().code, "missing_value");
  EXPECT_EQ(missing.error().detail, "due_date");
  auto invalid = render_sms(renewal(), Language::fr, {{"service_name", "\xC3\x28"}, {"due_date", "x"}}, 3);
  ASSERT_FALSE(invalid);
  EXPECT_EQ(invalid.error().code, "invalid_value");
  auto too_long = render_sms(renewal(), Language::fr, {{"service_name", std::string(300, 'a')}, {"due_date", "x"}}, 3);
  ASSERT_FALSE(too_long);
  EXPECT_EQ(too_long.error().code, "invalid_value");
}

TEST_F(NotifyRendering, SmsSizeAndSegmentLimit) {
  auto sms = render_sms(renewal(), Language::fr, {{"service_name", "fête"}, {"due_date", "2026-12-24"}}, 3);
  ASSERT_TRUE(sms);
  EXPECT_EQ(sms->size.coding, SmsCoding::ucs2);
  auto gsm = render_sms(renewal(), Language::fr, {{"service_name", "été"}, {"due_date", "2026-12-24"}}, 3);
  ASSERT_TRUE(gsm);
  EXPECT_EQ(gsm->size.coding, SmsCoding::gsm7);
  auto too_many = render_sms(renewal(), Language::fr, {{"service_name", std::string(250, 'a')}, {"due_date", "2026-12-24"}}, 1);
  ASSERT_FALSE(too_many);
  EXPECT_EQ(too_many.error().code, "sms_too_long");
}

}  // namespace
}  // namespace pse::notify
