// "Mes préférences" through PortalApp, as portal_app_test.cpp drives the other pages: a real
// store on a temporary SQLite file, the identity provider and the broker replaced by recorders.
// The page exists only with a store; a post needs the session's CSRF token; a wrong field comes
// back tied to its control and nothing is saved or sent; a good form records the consent that
// pse-notify reads the preferences (once) and is saved for the signed-in citizen only.
#include "portal_app.hpp"
#include "preferences_store.hpp"

#include "support/temp_dir.hpp"

#include <boost/json.hpp>
#include <gmock/gmock.h>

namespace pse::portal {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

class OneCitizen final : public SignIn {
 public:
  std::string authorization_url(const std::string& state, const std::string& nonce, const std::string&) override {
    last_state = state;
    last_nonce = nonce;
    return "https://idp.example/authorize";
  }
  Expected<oidc::IdToken, std::string> redeem(const std::string&, const std::string&, const std::string& nonce) override {
    if (nonce != last_nonce) return std::string("refused");
    oidc::IdToken token;
    token.subject = "QC-1957-0042";
    token.name = "Alice Tremblay";
    return token;
  }
  std::string sign_out_url() override { return "/"; }
  std::string last_state, last_nonce;
};

// The broker's registry: the consents it lists, what it was sent, and whether it is down.
class RegistryRecorder final : public Registry {
 public:
  Result<boost::json::object> call(RegistryMethod method, const std::string& target,
                                   const boost::json::object& body) override {
    calls.push_back((method == RegistryMethod::post ? "POST " : "GET ") + target + " " + boost::json::serialize(body));
    if (down) return make_error(Reason::provider_unavailable);
    if (method == RegistryMethod::get) return boost::json::parse(consents).as_object();
    return boost::json::object{{"consent", boost::json::object{{"state", "given"}}}, {"receipt", "h.p.s"}};
  }
  std::vector<std::string> calls;
  std::string consents = R"({"consents": []})";
  bool down = false;
};

class PreferencesRoutesTest : public ::testing::Test {
 protected:
  WebResponse request(PortalApp& app, const std::string& method, const std::string& target, const std::string& cookie = {},
                      const std::string& body = {}) {
    return app.handle({method, target, cookie, "application/x-www-form-urlencoded", body, "192.0.2.1", ""});
  }
  WebResponse request(const std::string& method, const std::string& target, const std::string& body = {}) {
    return request(app_, method, target, cookie_, body);
  }
  static std::string header(const WebResponse& response, const std::string& name) {
    for (const auto& [key, value] : response.headers) {
      if (key == name) return value;
    }
    return {};
  }
  static std::string pair_of(const std::string& set_cookie) { return set_cookie.substr(0, set_cookie.find(';')); }

  std::string sign_in(PortalApp& app) {
    const std::string login = pair_of(header(request(app, "GET", "/auth/login"), "Set-Cookie"));
    return pair_of(header(request(app, "GET", "/auth/callback?code=c&state=" + sign_in_.last_state, login), "Set-Cookie"));
  }
  void SetUp() override {
    cookie_ = sign_in(app_);
    const std::string page = request("GET", "/preferences").body;
    const auto at = page.find("name=\"csrf\" value=\"") + 19;
    csrf_ = page.substr(at, page.find('"', at) - at);
  }
  std::string form(const std::string& mobile) const {
    return "csrf=" + csrf_ + "&channel=both&email=alice%40example.org&mobile=" + mobile +
           "&language=fr&quiet_hours_start=21%3A00&quiet_hours_end=08%3A00&access_notices=daily";
  }

  testing::TempDir dir_;
  PreferencesStore store_{dir_ / "preferences.db"};
  SessionStore sessions_{std::chrono::minutes(15), std::chrono::minutes(480)};
  OneCitizen sign_in_;
  RegistryRecorder registry_;
  web::RateLimiter limiter_{100, 60000};
  PortalContent content_;
  PortalApp app_{sessions_, sign_in_, registry_, limiter_, content_, Clock::now, {}, &store_};
  std::string cookie_, csrf_;
};

TEST_F(PreferencesRoutesTest, portal_preferences_NoStoreNoPageAndNoLink) {
  PortalApp without{sessions_, sign_in_, registry_, limiter_, content_};
  const std::string cookie = sign_in(without);
  EXPECT_EQ(request(without, "GET", "/preferences", cookie).status, 404);
  EXPECT_THAT(request(without, "GET", "/", cookie).body, Not(HasSubstr("/preferences")));
  EXPECT_THAT(request("GET", "/").body, HasSubstr("<a href=\"/preferences\">Mes préférences</a>"));
  EXPECT_EQ(request(app_, "GET", "/preferences").status, 303);  // signed out: sign in first
}

TEST_F(PreferencesRoutesTest, portal_preferences_TheFormShowsDefaultsWithALabelForEachControl) {
  const WebResponse page = request("GET", "/preferences");
  ASSERT_EQ(page.status, 200);
  EXPECT_THAT(page.body, HasSubstr("<h1>Mes préférences</h1>"));
  EXPECT_THAT(page.body, HasSubstr("aria-current=\"page\">Mes préférences</a>"));
  EXPECT_THAT(page.body, HasSubstr("<legend>Comment voulez-vous être joint?</legend>"));
  EXPECT_THAT(page.body, HasSubstr("id=\"channel-email\" name=\"channel\" value=\"email\" checked><label for=\"channel-email\">"));
  EXPECT_THAT(page.body, HasSubstr("id=\"language-fr\" name=\"language\" value=\"fr\" checked>"));
  EXPECT_THAT(page.body, HasSubstr("id=\"access_notices-each\" name=\"access_notices\" value=\"each\" checked>"));
  EXPECT_THAT(page.body, HasSubstr("<label for=\"mobile\">Numéro de cellulaire</label>"));
  EXPECT_THAT(page.body, HasSubstr("aria-describedby=\"mobile-hint\">"));
  EXPECT_THAT(page.body, HasSubstr("vous consentez à ce que la Plateforme gouvernementale de notification les consulte"));
  EXPECT_THAT(page.body, HasSubstr("<button type=\"submit\" aria-describedby=\"consentement-preferences\">"));
  EXPECT_THAT(page.body, Not(HasSubstr("<script")));
  // In English, the default language of the notices is English.
  const WebResponse english = request("GET", "/preferences?lang=en");
  EXPECT_THAT(english.body, HasSubstr("<h1>My preferences</h1>"));
  EXPECT_THAT(english.body, HasSubstr("id=\"language-en\" name=\"language\" value=\"en\" checked>"));
  EXPECT_THAT(english.body, HasSubstr("action=\"/preferences?lang=en\""));
  EXPECT_TRUE(registry_.calls.empty());  // showing the form asks the broker nothing
}

TEST_F(PreferencesRoutesTest, portal_preferences_AWrongFieldComesBackTiedToItsControlAndNothingIsSaved) {
  const WebResponse page = request("POST", "/preferences", form("514%3Cb%3E"));
  ASSERT_EQ(page.status, 422);
  EXPECT_THAT(page.body, HasSubstr("<title>Erreur : Mes préférences"));
  EXPECT_THAT(page.body, HasSubstr("<div class=\"error-summary\" role=\"alert\" aria-labelledby=\"erreurs-titre\">"));
  EXPECT_THAT(page.body, HasSubstr("<li><a href=\"#mobile\">Entrez le numéro de cellulaire au format international"));
  EXPECT_THAT(page.body, HasSubstr("<p class=\"error\" id=\"mobile-error\">"));
  EXPECT_THAT(page.body, HasSubstr("value=\"514&lt;b&gt;\" type=\"tel\" autocomplete=\"tel\" "
                                   "aria-describedby=\"mobile-hint mobile-error\" aria-invalid=\"true\">"));
  // What was right stays as entered; what was wrong is the only error.
  EXPECT_THAT(page.body, HasSubstr("value=\"alice@example.org\""));
  EXPECT_THAT(page.body, HasSubstr("id=\"access_notices-daily\" name=\"access_notices\" value=\"daily\" checked>"));
  EXPECT_THAT(page.body, Not(HasSubstr("email-error")));
  EXPECT_TRUE(registry_.calls.empty());
  EXPECT_FALSE(*store_.find("QC-1957-0042"));

  // A radio group's error is its fieldset's description, and the summary links to its first choice.
  const WebResponse group = request("POST", "/preferences?lang=en", "csrf=" + csrf_ + "&channel=fax&language=fr&access_notices=each");
  EXPECT_THAT(group.body, HasSubstr("<fieldset aria-describedby=\"channel-error\">"));
  EXPECT_THAT(group.body, HasSubstr("<a href=\"#channel-email\">Choose how to reach you"));
}

TEST_F(PreferencesRoutesTest, portal_preferences_PostsNeedTheSessionsTokenAndTheFormsNames) {
  EXPECT_EQ(request("POST", "/preferences", "csrf=forged&channel=email").status, 403);
  EXPECT_EQ(request("POST", "/preferences", form("%2B15145550123") + "&subject=QC-OTHER").status, 400);
  EXPECT_EQ(request(app_, "POST", "/preferences", {}, form("%2B15145550123")).status, 401);
  EXPECT_TRUE(registry_.calls.empty());
  EXPECT_FALSE(*store_.find("QC-1957-0042"));
}

TEST_F(PreferencesRoutesTest, portal_preferences_SavingRecordsTheConsentOnceAndTheCitizensValues) {
  const WebResponse saved = request("POST", "/preferences", form("%2B1+514+555-0123"));
  ASSERT_EQ(saved.status, 303);
  EXPECT_EQ(header(saved, "Location"), "/preferences?saved=consent");
  ASSERT_EQ(registry_.calls.size(), 2U);
  EXPECT_EQ(registry_.calls[0], "GET /v1/subjects/QC-1957-0042/consents {}");
  EXPECT_THAT(registry_.calls[1], HasSubstr(R"(POST /v1/consents {"subject":"QC-1957-0042","given_by":{"kind":"subject"},)"
                                            R"("provider":"services-quebec","consumer":"pse-notify",)"
                                            R"("categories":["contact.preferences"],"purpose":{"code":"citizen_notification")"));
  auto stored = store_.find("QC-1957-0042");
  ASSERT_TRUE(stored && *stored);
  EXPECT_EQ(**stored, (ContactPreferences{"both", "alice@example.org", "+15145550123", "fr", "21:00", "08:00", "daily"}));

  const WebResponse shown = request("GET", "/preferences?saved=consent");
  EXPECT_THAT(shown.body, HasSubstr("role=\"status\">Vos préférences sont enregistrées, ainsi que votre consentement"));
  EXPECT_THAT(shown.body, HasSubstr("value=\"+15145550123\""));
  EXPECT_THAT(shown.body, HasSubstr("id=\"channel-both\" name=\"channel\" value=\"both\" checked>"));
  EXPECT_THAT(request("GET", "/consentements/recu", "").body, HasSubstr("Reçu"));  // the grant's receipt is kept

  // With the consent in force, saving again records no other.
  registry_.calls.clear();
  registry_.consents = R"({"consents": [{"id": "cns_1", "state": "given", "consumer": "pse-notify",
      "provider": "services-quebec", "categories": ["contact.preferences"],
      "purpose": {"code": "citizen_notification", "fr": "f", "en": "e"}}]})";
  const WebResponse again = request("POST", "/preferences?lang=en", form("%2B33612345678"));
  ASSERT_EQ(again.status, 303);
  EXPECT_EQ(header(again, "Location"), "/preferences?saved=1&lang=en");
  EXPECT_EQ(registry_.calls.size(), 1U);
  EXPECT_EQ((*store_.find("QC-1957-0042"))->mobile, "+33612345678");
  EXPECT_THAT(request("GET", "/preferences?saved=1&lang=en").body, HasSubstr("Your preferences are saved."));
}

TEST_F(PreferencesRoutesTest, portal_preferences_WhenTheBrokerIsDownNothingIsSaved) {
  registry_.down = true;
  EXPECT_EQ(request("POST", "/preferences", form("%2B15145550123")).status, 503);
  EXPECT_FALSE(*store_.find("QC-1957-0042"));
}

}  // namespace
}  // namespace pse::portal
