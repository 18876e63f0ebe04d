// "Mes préférences" below the pages: the form's checks, field by field; the store on a real
// SQLite file; the record it serves to the broker; the consent that comes with saving. And the
// contract with the reader: what the portal saves, pse-notify's own parse_contact_preferences
// reads back unchanged, and the portal's validators accept nothing pse-notify refuses.
#include "preferences_consent.hpp"
#include "preferences_form.hpp"
#include "preferences_store.hpp"

#include "contact_preferences.hpp"  // pse-notify's
#include "mime_message.hpp"         // pse-notify's is_plausible_email_address

#include "support/temp_dir.hpp"

#include <boost/json.hpp>
#include <gmock/gmock.h>

#include <sys/stat.h>

namespace pse::portal {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;

using Posted = std::map<std::string, std::string>;

Posted good_form() {
  return {{"csrf", "x"},           {"channel", "both"},          {"email", " alice@example.org "},
          {"mobile", "+1 (514) 555-0123"}, {"language", "en"},   {"quiet_hours_start", "21 h"},
          {"quiet_hours_end", "8:00"},     {"access_notices", "daily"}};
}

std::vector<std::string> fields_of(const PreferencesForm& form) {
  std::vector<std::string> fields;
  for (const FieldError& error : form.errors) fields.push_back(error.field);
  return fields;
}

const std::vector<std::string> kAllFields{"channel", "email", "mobile", "language", "quiet_hours_start",
                                          "quiet_hours_end", "access_notices"};

TEST(PreferencesForm, portal_preferences_AWholeChoiceIsAcceptedAndTidied) {
  const PreferencesForm form = read_preferences_form(good_form());
  EXPECT_TRUE(form.errors.empty());
  EXPECT_EQ(form.values, (ContactPreferences{"both", "alice@example.org", "+15145550123", "en", "21:00", "08:00", "daily"}));
  Posted french = good_form();
  french["quiet_hours_start"] = "21h30";
  french["quiet_hours_end"] = "7 h 05";
  EXPECT_EQ(read_preferences_form(french).values.quiet_hours_start, "21:30");
  EXPECT_EQ(read_preferences_form(french).values.quiet_hours_end, "07:05");
  // No quiet hours, and only the address the channel needs.
  const PreferencesForm email_only = read_preferences_form(
      {{"channel", "email"}, {"email", "a@b.ca"}, {"language", "fr"}, {"access_notices", "none"}});
  EXPECT_TRUE(email_only.errors.empty());
}

TEST(PreferencesForm, portal_preferences_EachWrongFieldIsNamedWithItsOwnMessage) {
  const PreferencesForm form = read_preferences_form({{"channel", "fax"},
                                                      {"email", "alice at example"},
                                                      {"mobile", "514-555"},
                                                      {"language", "de"},
                                                      {"quiet_hours_start", "25:00"},
                                                      {"quiet_hours_end", "8h7"},
                                                      {"access_notices", "weekly"}});
  EXPECT_THAT(fields_of(form), ElementsAre("channel", "email", "mobile", "language", "quiet_hours_start",
                                           "quiet_hours_end", "access_notices"));
  EXPECT_THAT(form.errors[2].message.fr, HasSubstr("format international"));
  EXPECT_THAT(form.errors[2].message.en, HasSubstr("international format"));
  EXPECT_EQ(form.values.mobile, "514-555");  // shown again as typed
  EXPECT_THAT(fields_of(read_preferences_form({})), ElementsAre("channel", "language", "access_notices"));
}

TEST(PreferencesForm, portal_preferences_TheChannelSaysWhichAddressIsRequired) {
  Posted form = good_form();
  form["channel"] = "sms";
  form["mobile"] = "";
  form["email"] = "";
  EXPECT_THAT(fields_of(read_preferences_form(form)), ElementsAre("mobile"));
  EXPECT_THAT(read_preferences_form(form).errors[0].message.fr, HasSubstr("par texto"));
  form["channel"] = "email";
  EXPECT_THAT(fields_of(read_preferences_form(form)), ElementsAre("email"));
  form["channel"] = "both";
  EXPECT_THAT(fields_of(read_preferences_form(form)), ElementsAre("email", "mobile"));
  // An address given is checked even when the channel does not use it.
  form = good_form();
  form["channel"] = "email";
  form["mobile"] = "12";
  EXPECT_THAT(fields_of(read_preferences_form(form)), ElementsAre("mobile"));
}

TEST(PreferencesForm, portal_preferences_QuietHoursAreBothOrNeitherAndDiffer) {
  Posted form = good_form();
  form["quiet_hours_end"] = "";
  EXPECT_THAT(fields_of(read_preferences_form(form)), ElementsAre("quiet_hours_end"));
  EXPECT_THAT(read_preferences_form(form).errors[0].message.fr, HasSubstr("laissez les deux heures vides"));
  form = good_form();
  form["quiet_hours_start"] = "";
  EXPECT_THAT(fields_of(read_preferences_form(form)), ElementsAre("quiet_hours_start"));
  form["quiet_hours_start"] = "08:00";
  EXPECT_THAT(fields_of(read_preferences_form(form)), ElementsAre("quiet_hours_end"));
  for (const char* bad : {"2100", "21:0", "21:60", "24:00", "-1:00", "21h0", "21:00:00", "h30"}) {
    form["quiet_hours_start"] = bad;
    EXPECT_THAT(fields_of(read_preferences_form(form)), ElementsAre("quiet_hours_start")) << bad;
  }
}

// The portal saves only what the notification platform can use.
TEST(PreferencesForm, portal_preferences_ValidatorsAcceptNothingPseNotifyRefuses) {
  for (const char* number : {"+15145550123", "+33612345678", "+1234567", "+12345678", "+123456789012345",
                             "+1234567890123456", "+05145550123", "15145550123", "+1514555012a", "+", ""}) {
    EXPECT_EQ(valid_e164(number), notify::is_e164(number)) << number;
  }
  for (const char* address : {"alice@example.org", "a@b.ca", "alice@localhost", "@example.org", "alice@", "a@@b.ca",
                              "a b@c.ca", "a@b.ca>", "alice@.ca", "alice@example.", "é@exemple.ca", "a:b@c.ca", ""}) {
    if (valid_email_address(address)) EXPECT_TRUE(notify::is_plausible_email_address(address)) << address;
  }
  EXPECT_TRUE(valid_email_address("prenom.nom+avis@sous.exemple.qc.ca"));
  EXPECT_FALSE(valid_email_address("alice@localhost"));
}

TEST(PreferencesStore, portal_preferences_TheStoreKeepsOneRowPerSubjectOnDisk) {
  testing::TempDir dir;
  const auto file = dir / "preferences.db";
  const ContactPreferences first = read_preferences_form(good_form()).values;
  ContactPreferences second = first;
  second.channel = "email";
  second.quiet_hours_start = second.quiet_hours_end = "";
  {
    PreferencesStore store(file);
    auto none = store.find("QC-1957-0042");
    ASSERT_TRUE(none);
    EXPECT_FALSE(*none);
    ASSERT_TRUE(store.save("QC-1957-0042", first));
    ASSERT_TRUE(store.save("QC-1960-0007", second));
    ASSERT_TRUE(store.save("QC-1957-0042", second));  // replaces, not adds
  }
  struct stat status {};
  ASSERT_EQ(::stat(file.c_str(), &status), 0);
  EXPECT_EQ(status.st_mode & 0777, 0600U);  // personal information: owner-only

  PreferencesStore reopened(file);
  auto alice = reopened.find("QC-1957-0042");
  ASSERT_TRUE(alice && *alice);
  EXPECT_EQ(**alice, second);
  auto bob = reopened.find("QC-1960-0007");
  ASSERT_TRUE(bob && *bob);
  EXPECT_EQ(**bob, second);
  EXPECT_THROW(PreferencesStore(dir / "missing-directory" / "x.db"), std::runtime_error);
}

TEST(PreferencesStore, portal_preferences_TheRecordHasTheAskedFieldsAndAnUnknownSubjectIsNotFound) {
  testing::TempDir dir;
  PreferencesStore store(dir / "preferences.db");
  ContactPreferences email_only{"email", "a@b.ca", "", "fr", "", "", "each"};
  ASSERT_TRUE(store.save("QC-1", email_only));
  auto record = store.record("QC-1", kAllFields);
  ASSERT_TRUE(record);
  // Empty fields are left out: pse-notify reads an absent field as not given.
  EXPECT_EQ(boost::json::serialize(*record),
            R"({"channel":"email","email":"a@b.ca","language":"fr","access_notices":"each"})");
  auto some = store.record("QC-1", {"channel", "language"});
  ASSERT_TRUE(some);
  EXPECT_EQ(boost::json::serialize(*some), R"({"channel":"email","language":"fr"})");
  auto unknown = store.record("QC-2", kAllFields);
  ASSERT_FALSE(unknown);
  EXPECT_EQ(unknown.error().reason, Reason::record_not_found);
}

// The whole way: a posted form, saved, served as the record, read by pse-notify's own parser.
TEST(PreferencesStore, portal_preferences_WhatThePortalSavesPseNotifyReadsBack) {
  testing::TempDir dir;
  PreferencesStore store(dir / "preferences.db");
  const PreferencesForm form = read_preferences_form(good_form());
  ASSERT_TRUE(form.errors.empty());
  ASSERT_TRUE(store.save("QC-1957-0042", form.values));
  auto record = store.record("QC-1957-0042", kAllFields);
  ASSERT_TRUE(record);
  auto read = notify::parse_contact_preferences(*record);
  ASSERT_TRUE(read) << read.error();
  EXPECT_TRUE(read->email);
  EXPECT_TRUE(read->sms);
  EXPECT_EQ(read->email_address, "alice@example.org");
  EXPECT_EQ(read->mobile, "+15145550123");
  EXPECT_EQ(read->language, notify::Language::en);
  ASSERT_TRUE(read->quiet_hours);
  EXPECT_EQ(read->quiet_hours->start_minutes, 21 * 60);
  EXPECT_EQ(read->quiet_hours->end_minutes, 8 * 60);
  EXPECT_EQ(read->access_notices, notify::AccessNoticeMode::daily);

  ASSERT_TRUE(store.save("QC-2", {"sms", "", "+33612345678", "fr", "", "", "none"}));
  auto sms_only = notify::parse_contact_preferences(*store.record("QC-2", kAllFields));
  ASSERT_TRUE(sms_only) << sms_only.error();
  EXPECT_FALSE(sms_only->email);
  EXPECT_FALSE(sms_only->quiet_hours);
  EXPECT_EQ(sms_only->access_notices, notify::AccessNoticeMode::none);
}

TEST(PreferencesConsent, portal_preferences_OnlyAGivenConsentForPseNotifyOnThePreferencesCounts) {
  const auto answer = [](const std::string& consent) {
    return boost::json::parse(R"({"consents": [)" + consent + "]}").as_object();
  };
  const std::string in_force = R"({"state": "given", "consumer": "pse-notify", "provider": "services-quebec",
      "categories": ["contact.preferences"], "purpose": {"code": "citizen_notification", "fr": "f", "en": "e"}})";
  EXPECT_TRUE(preferences_consent_in_force(answer(in_force)));
  EXPECT_FALSE(preferences_consent_in_force(answer("")));
  const std::pair<std::string, std::string> changes[] = {{"\"given\"", "\"revoked\""},
                                                         {"\"pse-notify\"", "\"saaq\""},
                                                         {"\"services-quebec\"", "\"ramq\""},
                                                         {"\"contact.preferences\"", "\"identity.address\""},
                                                         {"\"citizen_notification\"", "\"service_suggestions\""}};
  for (const auto& [from, to] : changes) {
    std::string other = in_force;
    other.replace(other.find(from), from.size(), to);
    EXPECT_FALSE(preferences_consent_in_force(answer(other))) << to;
  }
}

TEST(PreferencesConsent, portal_preferences_TheConsentIsTheSubjectsForPseNotifyForAYear) {
  CitizenWords words = CitizenWords::load(PSE_SOURCE_DIR "/config/portal/words.yaml");
  const policy::Instant now = policy::parse_instant("2026-05-01T10:00:00Z")->instant;
  const auto body = preferences_consent_request("QC-1957-0042", Language::en, words, now);
  EXPECT_EQ(boost::json::serialize(body),
            R"({"subject":"QC-1957-0042","given_by":{"kind":"subject"},"provider":"services-quebec",)"
            R"("consumer":"pse-notify","categories":["contact.preferences"],)"
            R"("purpose":{"code":"citizen_notification","fr":"vous envoyer les avis et rappels que vous avez demandés",)"
            R"("en":"send you the notices and reminders you asked for"},)"
            R"("notice":{"reference":"PSE-PORTAIL-PREFERENCES","version":"1","language":"en"},)"
            R"("collection_method":"pse-portal","expires_at":"2027-04-26T10:00:00Z"})");
}

}  // namespace
}  // namespace pse::portal
