// Access notices without a broker: the record read strictly, the values shown through the
// labels in each language, the digest's grouping, and the shipped templates rendered French
// first with every value escaped for its channel.
#include "access_notice.hpp"
#include "mime_message.hpp"
#include "quebec_time.hpp"

#include "support/temp_dir.hpp"

#include "base/config_error.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace pse::notify {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;
namespace json = boost::json;

const TemplateSet& shipped() {
  static const TemplateSet templates = TemplateSet::load(PSE_SOURCE_DIR "/config/notify/templates.yaml");
  return templates;
}

json::object record(const std::string& accessed_at = "2026-11-10T15:04:05Z", std::int64_t seq = 42) {
  return {{"consumer", "saaq"},       {"provider", "services-quebec"}, {"category", "identity.address"},
          {"purpose", "address_update"}, {"fields", "city,postal_code"}, {"basis", "consent"},
          {"accessed_at", accessed_at}, {"audit_seq", seq}};
}

TEST(NotifyAccessNotice, AGoodRecordIsRead) {
  auto notice = parse_access_notice(record());
  ASSERT_TRUE(notice) << notice.error();
  EXPECT_EQ(notice->consumer, "saaq");
  EXPECT_EQ(notice->fields, (std::vector<std::string>{"city", "postal_code"}));
  EXPECT_EQ(notice->audit_seq, 42);
  EXPECT_EQ(format_utc(notice->accessed_at), "2026-11-10T15:04:05Z");
}

TEST(NotifyAccessNotice, AnUnusableRecordIsRefusedNamingTheField) {
  auto refused = [](const char* field, json::value value) {
    json::object r = record();
    if (value.is_null()) {
      r.erase(field);
    } else {
      r[field] = value;
    }
    auto notice = parse_access_notice(r);
    return notice ? std::string("accepted") : notice.error();
  };
  EXPECT_EQ(refused("consumer", nullptr), "consumer");
  EXPECT_EQ(refused("consumer", "SAAQ <x>"), "consumer");
  EXPECT_EQ(refused("provider", json::string(std::string(65, 'a'))), "provider");
  EXPECT_EQ(refused("basis", "whim"), "basis");
  EXPECT_EQ(refused("fields", ""), "fields");
  EXPECT_EQ(refused("fields", "city,,postal_code"), "fields");
  EXPECT_EQ(refused("fields", "city,"), "fields");
  EXPECT_EQ(refused("accessed_at", "2026-11-10"), "accessed_at");
  EXPECT_EQ(refused("accessed_at", "2026-11-10T10:04:05-05:00"), "accessed_at");
  EXPECT_EQ(refused("audit_seq", -1), "audit_seq");
  EXPECT_EQ(refused("audit_seq", "42"), "audit_seq");
  EXPECT_EQ(refused("legal_reference", json::string(std::string(300, 'x'))), "legal_reference");
}

TEST(NotifyAccessNotice, ValuesAreLabelsInTheLanguageAndTimesInQuebecTime) {
  const AccessNotice notice = *parse_access_notice(record());
  const Values fr = access_values(notice, Language::fr, shipped());
  EXPECT_EQ(fr.at("consumer"), "la Société de l'assurance automobile du Québec");
  EXPECT_EQ(fr.at("category"), "adresse");
  EXPECT_EQ(fr.at("fields"), "ville, code postal");
  EXPECT_EQ(fr.at("purpose"), "mise à jour de votre adresse");
  EXPECT_EQ(fr.at("basis"), "votre consentement");
  EXPECT_EQ(fr.at("accessed_at"), "2026-11-10 10:04");  // EST
  EXPECT_EQ(fr.at("audit_seq"), "42");
  const Values en = access_values(notice, Language::en, shipped());
  EXPECT_EQ(en.at("fields"), "city, postal code");
  EXPECT_EQ(en.at("basis"), "your consent");
  // A code without a label is shown as it is; a law basis shows its provision.
  json::object r = record();
  r["purpose"] = "fraud_investigation";
  r["basis"] = "law";
  r["legal_reference"] = "Loi X, art. 1";
  const Values other = access_values(*parse_access_notice(r), Language::fr, shipped());
  EXPECT_EQ(other.at("purpose"), "fraud_investigation");
  EXPECT_EQ(other.at("basis"), "Loi X, art. 1");
}

TEST(NotifyAccessNotice, AVeryLongListOfFieldsIsShortenedToFitAValue) {
  json::object r = record();
  std::string fields;
  for (int i = 0; i < 60; ++i) fields += (i ? ",field_number_" : "field_number_") + std::to_string(i);
  r["fields"] = fields;
  const std::string shown = access_values(*parse_access_notice(r), Language::fr, shipped()).at("fields");
  EXPECT_LE(shown.size(), kMaxValueBytes);
  EXPECT_THAT(shown, ::testing::EndsWith(", …"));
  EXPECT_THAT(shown, ::testing::StartsWith("field_number_0, field_number_1"));
}

TEST(NotifyAccessNotice, ADigestCountsEveryAccessAndListsThemInTimeOrder) {
  std::vector<AccessNotice> notices;
  for (const char* at : {"2026-11-10T18:00:00Z", "2026-11-10T14:00:00Z", "2026-11-10T16:00:00Z"}) {
    notices.push_back(*parse_access_notice(record(at)));
  }
  const DigestContent digest = digest_content(notices, Language::fr, shipped());
  EXPECT_EQ(digest.values.at("access_count"), "3");
  ASSERT_EQ(digest.items.size(), 3u);
  EXPECT_EQ(digest.items[0].at("accessed_at"), "2026-11-10 09:00");
  EXPECT_EQ(digest.items[1].at("accessed_at"), "2026-11-10 11:00");
  EXPECT_EQ(digest.items[2].at("accessed_at"), "2026-11-10 13:00");

  std::vector<AccessNotice> many(kMaxDigestItems + 5, notices[0]);
  const DigestContent capped = digest_content(many, Language::en, shipped());
  EXPECT_EQ(capped.values.at("access_count"), std::to_string(kMaxDigestItems + 5));
  EXPECT_EQ(capped.items.size(), kMaxDigestItems);
}

TEST(NotifyAccessNotice, OneDigestPerCitizenAndDayWithoutTheSubjectInItsId) {
  const auto day = *parse_date("2026-11-10");
  const std::string id = digest_event_id("QC-123456", day);
  EXPECT_THAT(id, ::testing::StartsWith("digest:2026-11-10:"));
  EXPECT_THAT(id, Not(HasSubstr("QC-123456")));
  EXPECT_EQ(id, digest_event_id("QC-123456", day));
  EXPECT_NE(id, digest_event_id("QC-123457", day));
  EXPECT_NE(id, digest_event_id("QC-123456", *parse_date("2026-11-11")));
  // The Québec day, not the UTC one: 23:30 in Québec is already tomorrow in UTC.
  EXPECT_EQ(format_date(quebec_day(Instant(std::chrono::sys_days(*parse_date("2026-11-11")).time_since_epoch() +
                                           std::chrono::hours(4) + std::chrono::minutes(30)))),
            "2026-11-10");
}

TEST(NotifyAccessNotice, TheNoticeIsInFrenchThenInEnglishWhateverTheCitizensLanguage) {
  const AccessNotice notice = *parse_access_notice(record());
  const LocalizedContent content{{access_values(notice, Language::fr, shipped()), {}},
                                 {access_values(notice, Language::en, shipped()), {}}};
  auto email = render_email(*shipped().find(kAccessTemplate), Language::en, content);
  ASSERT_TRUE(email) << email.error().code;
  EXPECT_TRUE(email->bilingual);
  EXPECT_EQ(email->subject, "Avis de communication de vos renseignements / Notice: your information was shared");
  const std::size_t french = email->text_body.find("Services Québec a communiqué des renseignements vous concernant "
                                                   "à la Société de l'assurance automobile du Québec.");
  const std::size_t english = email->text_body.find("Services Québec communicated information about you to the "
                                                    "Société de l'assurance automobile du Québec.");
  ASSERT_NE(french, std::string::npos) << email->text_body;
  ASSERT_NE(english, std::string::npos) << email->text_body;
  EXPECT_LT(french, english);
  const std::string mime = build_mime_message({"a@b.ca", "Gouvernement du Québec", "c@d.ca", "1@x", {}}, *email);
  EXPECT_THAT(mime, HasSubstr("Content-Language: fr, en\r\n"));
  // The SMS is in the citizen's language and stays GSM-7 within the limit.
  auto sms = render_sms(*shipped().find(kAccessTemplate), Language::fr, content.fr.values, 3);
  ASSERT_TRUE(sms) << sms.error().code << " " << sms.error().detail;
  EXPECT_EQ(sms->size.coding, SmsCoding::gsm7);
}

TEST(NotifyAccessNotice, EachDigestLineIsEscapedOnItsOwn) {
  json::object r = record();
  r["basis"] = "law";
  r["legal_reference"] = "Loi <b>X</b>\r\nBcc: x@y.ca";
  const AccessNotice notice = *parse_access_notice(r);
  LocalizedContent content;
  for (Language language : {Language::fr, Language::en}) {
    DigestContent digest = digest_content({notice, notice}, language, shipped());
    (language == Language::fr ? content.fr : content.en) = {digest.values, digest.items};
  }
  auto email = render_email(*shipped().find(kDigestTemplate), Language::fr, content);
  ASSERT_TRUE(email) << email.error().code;
  EXPECT_THAT(email->html_body, HasSubstr("Loi &lt;b&gt;X&lt;/b&gt;  Bcc: x@y.ca"));
  EXPECT_THAT(email->html_body, Not(HasSubstr("<b>")));
  EXPECT_THAT(email->text_body, Not(HasSubstr("\nBcc:")));
  // Two lines, one per access, in each language.
  std::size_t lines = 0;
  for (std::size_t at = email->text_body.find("\n- "); at != std::string::npos; at = email->text_body.find("\n- ", at + 1)) {
    ++lines;
  }
  EXPECT_EQ(lines, 4u);
}

TEST(NotifyAccessNotice, AListNeedsItsItemTextAndAnSmsMayLeaveItOut) {
  pse::testing::TempDir dir;
  const std::string head = "templates:\n  - id: d\n    category: notice.data_access\n";
  const auto without_item = dir.write("a.yaml", head + "    placeholders: [items]\n    sms: {fr: \"x\", en: \"y\"}\n");
  EXPECT_THROW(TemplateSet::load(without_item), ConfigError);
  const auto good = dir.write(
      "b.yaml", head + "    placeholders: [access_count, items]\n    item_placeholders: [consumer]\n"
                       "    item: {fr: \"- ((consumer))\", en: \"- ((consumer))\"}\n"
                       "    email:\n      subject: {fr: \"s\", en: \"s\"}\n"
                       "      body: {fr: \"((access_count)) ((items))\", en: \"((access_count)) ((items))\"}\n"
                       "    sms: {fr: \"((access_count))\", en: \"((access_count))\"}\n");
  EXPECT_NO_THROW(TemplateSet::load(good));
  const auto item_unknown = dir.write(
      "c.yaml", head + "    placeholders: [items]\n    item_placeholders: [consumer]\n"
                       "    item: {fr: \"- ((provider))\", en: \"- ((consumer))\"}\n"
                       "    sms: {fr: \"x\", en: \"y\"}\n");
  try {
    TemplateSet::load(item_unknown);
    FAIL() << "an item using an undeclared placeholder was accepted";
  } catch (const ConfigError& e) {
    EXPECT_THAT(e.reason(), HasSubstr("unknown placeholder 'provider'"));
  }
}

}  // namespace
}  // namespace pse::notify
