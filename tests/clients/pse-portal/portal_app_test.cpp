// The portal's rules without a network: the sign-in's browser binding and state, a new
// session id at each sign-in, the session cookie's attributes, CSRF on every post, expiry,
// and that a citizen's pages ask the registry about that citizen only. The provider and the
// broker are replaced by recorders here; the browser test runs them for real.
#include "portal_app.hpp"

#include "policy/policy_config.hpp"

#include <boost/json.hpp>
#include <gmock/gmock.h>

namespace pse::portal {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

class RecordingSignIn final : public SignIn {
 public:
  std::string authorization_url(const std::string& state, const std::string& nonce,
                                const std::string& challenge) override {
    last_state = state;
    last_nonce = nonce;
    last_challenge = challenge;
    return "https://idp.example/authorize?state=" + state;
  }
  Expected<oidc::IdToken, std::string> redeem(const std::string& code, const std::string& verifier,
                                              const std::string& nonce) override {
    last_verifier = verifier;
    if (code != "good-code" || nonce != last_nonce) return std::string("refused");
    oidc::IdToken token;
    token.subject = subject;
    token.name = "Alice Tremblay";
    return token;
  }
  std::string sign_out_url() override { return "https://idp.example/logout"; }

  std::string subject = "QC-1957-0042";
  std::string last_state, last_nonce, last_challenge, last_verifier;
};

class RecordingRegistry final : public Registry {
 public:
  Result<boost::json::object> call(RegistryMethod method, const std::string& target,
                                   const boost::json::object& body) override {
    calls.push_back((method == RegistryMethod::post ? "POST " : "GET ") + target + " " + boost::json::serialize(body));
    if (method == RegistryMethod::get && target == "/v1/subjects/QC-1957-0042/consents") {
      return boost::json::parse(R"({"consents": [{"id": "cns_1", "state": "given", "provider": "etat-civil",
        "consumer": "retraite-quebec", "categories": ["identity.birth"],
        "purpose": {"code": "p", "fr": "Vérifier <l'admissibilité>", "en": "Check eligibility"},
        "expires_at": "2027-01-01T00:00:00Z"}]})").as_object();
    }
    if (target.ends_with("/accesses")) return boost::json::parse(R"({"accesses": []})").as_object();
    if (method == RegistryMethod::get && target.ends_with("/mandates")) {
      // Alice received mdt_1 from QC-MANDATOR; QC-MANDATOR gave it.
      if (target == "/v1/subjects/QC-1957-0042/mandates") {
        return boost::json::parse(R"({"given": [], "received": [{"id": "mdt_1", "state": "active",
          "categories": ["identity.birth"], "purposes": ["pension_eligibility"], "valid_until": "2027-01-01T00:00:00Z",
          "mandator": null, "mandatary": "QC-1957-0042"}]})").as_object();
      }
      if (target == "/v1/subjects/QC-MANDATOR/mandates") {
        return boost::json::parse(R"({"given": [{"id": "mdt_1", "state": "active"}], "received": []})").as_object();
      }
      return boost::json::parse(R"({"given": [], "received": []})").as_object();
    }
    if (method == RegistryMethod::get && target == "/v1/subjects/QC-MANDATOR/consents") {
      return boost::json::parse(R"({"consents": [
        {"id": "cns_in", "state": "given", "provider": "etat-civil", "consumer": "retraite-quebec",
         "categories": ["identity.birth"], "purpose": {"code": "pension_eligibility", "fr": "rente", "en": "pension"}},
        {"id": "cns_out", "state": "given", "provider": "revenu-quebec", "consumer": "afe",
         "categories": ["tax.income_assessment"], "purpose": {"code": "student_aid_eligibility", "fr": "aide", "en": "aid"}}]})")
          .as_object();
    }
    return boost::json::object{{"consent", boost::json::object{{"state", "revoked"}}}, {"receipt", "a.b.c"}};
  }
  std::vector<std::string> calls;
};

class PortalAppTest : public ::testing::Test {
 protected:
  WebResponse request(const std::string& method, const std::string& target, const std::string& cookie = {},
                      const std::string& body = {}, const std::string& type = "application/x-www-form-urlencoded") {
    return app_.handle({method, target, cookie, type, body, "192.0.2.1", ""});
  }
  static std::string header(const WebResponse& response, const std::string& name, int nth = 0) {
    for (const auto& [key, value] : response.headers) {
      if (key == name && nth-- == 0) return value;
    }
    return {};
  }
  // The cookie pair a Set-Cookie header sets ("name=value").
  static std::string pair_of(const std::string& set_cookie) { return set_cookie.substr(0, set_cookie.find(';')); }

  /// Signs in as the recorder's subject; returns the Cookie header of the signed-in browser.
  std::string sign_in() {
    const WebResponse started = request("GET", "/auth/login");
    EXPECT_EQ(started.status, 303);
    const std::string login = pair_of(header(started, "Set-Cookie"));
    const WebResponse back = request("GET", "/auth/callback?code=good-code&state=" + sign_in_.last_state, login);
    EXPECT_EQ(back.status, 303);
    return pair_of(header(back, "Set-Cookie"));
  }
  std::string csrf_of(const std::string& cookie) {
    const std::string page = request("GET", "/consentements", cookie).body;
    const auto at = page.find("name=\"csrf\" value=\"");
    if (at == std::string::npos) return {};
    const auto start = at + 19;
    return page.substr(start, page.find('"', start) - start);
  }

  Clock::time_point now_ = Clock::now();
  SessionStore sessions_{std::chrono::minutes(15), std::chrono::minutes(480)};
  RecordingSignIn sign_in_;
  RecordingRegistry registry_;
  web::RateLimiter limiter_{100, 60000};
  PortalContent content_;
  PortalApp app_{sessions_, sign_in_, registry_, limiter_, content_, [this] { return now_; }};
};

TEST_F(PortalAppTest, portal_SignInNeedsTheSameBrowserAndAFreshState) {
  const WebResponse started = request("GET", "/auth/login");
  ASSERT_EQ(started.status, 303);
  EXPECT_THAT(header(started, "Location"), HasSubstr("https://idp.example/authorize"));
  const std::string login_cookie = header(started, "Set-Cookie");
  EXPECT_THAT(login_cookie, HasSubstr("__Host-pse-login="));
  EXPECT_THAT(login_cookie, HasSubstr("Secure; HttpOnly; SameSite=Lax"));
  EXPECT_EQ(sign_in_.last_challenge.size(), 43U);
  const std::string state = sign_in_.last_state;

  // Another browser (no login cookie) cannot complete it, and the state is then spent.
  EXPECT_EQ(request("GET", "/auth/callback?code=good-code&state=" + state).status, 400);
  EXPECT_EQ(request("GET", "/auth/callback?code=good-code&state=" + state, pair_of(login_cookie)).status, 400);

  // A refused code or an unknown state opens no session.
  const WebResponse again = request("GET", "/auth/login");
  const std::string login = pair_of(header(again, "Set-Cookie"));
  EXPECT_EQ(request("GET", "/auth/callback?code=bad&state=" + sign_in_.last_state, login).status, 502);
  EXPECT_EQ(request("GET", "/auth/callback?code=good-code&state=forged", login).status, 400);
  EXPECT_EQ(sessions_.size(), 0U);
}

TEST_F(PortalAppTest, portal_EachSignInGetsANewSessionIdInAHostOnlyHttpOnlyCookie) {
  const WebResponse started = request("GET", "/auth/login");
  const std::string login = pair_of(header(started, "Set-Cookie"));
  const WebResponse back = request("GET", "/auth/callback?code=good-code&state=" + sign_in_.last_state,
                                   login + "; __Host-pse-portal=chosen-by-an-attacker");
  ASSERT_EQ(back.status, 303);
  const std::string session_cookie = header(back, "Set-Cookie");
  EXPECT_THAT(session_cookie, HasSubstr("__Host-pse-portal="));
  EXPECT_THAT(session_cookie, Not(HasSubstr("chosen-by-an-attacker")));
  EXPECT_THAT(session_cookie, HasSubstr("Path=/; Secure; HttpOnly; SameSite=Lax"));
  EXPECT_THAT(header(back, "Set-Cookie", 1), HasSubstr("__Host-pse-login=; Path=/; Secure; HttpOnly; SameSite=Lax; Max-Age=0"));
  EXPECT_NE(pair_of(session_cookie), pair_of(sign_in()));  // a second sign-in, a second id
}

TEST_F(PortalAppTest, portal_PagesAskAboutTheSignedInCitizenOnlyAndEscapeWhatTheyShow) {
  EXPECT_EQ(request("GET", "/consentements").status, 303);  // signed out: sign in first
  EXPECT_TRUE(registry_.calls.empty());
  const std::string cookie = sign_in();
  const WebResponse page = request("GET", "/consentements?subject=QC-OTHER", cookie);
  ASSERT_EQ(page.status, 200);
  EXPECT_THAT(page.body, HasSubstr("<html lang=\"fr\">"));
  EXPECT_THAT(page.body, HasSubstr("Vérifier &lt;l&#39;admissibilité&gt;"));
  ASSERT_EQ(registry_.calls.size(), 1U);
  EXPECT_EQ(registry_.calls[0], "GET /v1/subjects/QC-1957-0042/consents {}");
  EXPECT_THAT(request("GET", "/acces?lang=en", cookie).body, HasSubstr("<html lang=\"en\">"));
  EXPECT_EQ(registry_.calls.back(), "GET /v1/subjects/QC-1957-0042/accesses {}");
}

TEST_F(PortalAppTest, portal_RevokingNeedsTheSessionsCsrfTokenAndAForm) {
  const std::string cookie = sign_in();
  const std::string csrf = csrf_of(cookie);
  ASSERT_EQ(csrf.size(), 43U);
  const std::size_t before = registry_.calls.size();
  EXPECT_EQ(request("POST", "/consentements/revoquer", cookie, "csrf=forged&id=cns_1").status, 403);
  EXPECT_EQ(request("POST", "/consentements/revoquer", cookie, "id=cns_1").status, 403);
  EXPECT_EQ(request("POST", "/consentements/revoquer", cookie, "csrf=" + csrf + "&id=cns_1", "text/plain").status, 415);
  EXPECT_EQ(request("POST", "/consentements/revoquer", cookie, "csrf=" + csrf + "&id=cns_1&extra=1").status, 400);
  EXPECT_EQ(request("POST", "/consentements/revoquer", cookie, "csrf=" + csrf + "&id=..%2Fmandates").status, 400);
  EXPECT_EQ(request("POST", "/consentements/revoquer", {}, "csrf=" + csrf + "&id=cns_1").status, 401);
  EXPECT_EQ(registry_.calls.size(), before);  // none of those reached the broker

  const WebResponse done = request("POST", "/consentements/revoquer", cookie, "csrf=" + csrf + "&id=cns_1");
  ASSERT_EQ(done.status, 303);
  EXPECT_EQ(header(done, "Location"), "/consentements/recu?event=revoked");
  EXPECT_EQ(registry_.calls.back(), R"(POST /v1/consents/cns_1/revoke {"subject":"QC-1957-0042","method":"pse-portal"})");
  const WebResponse receipt = request("GET", "/consentements/recu?event=revoked", cookie);
  EXPECT_THAT(receipt.body, HasSubstr("Le consentement est révoqué"));
  EXPECT_THAT(receipt.body, HasSubstr("n'a pas pu être vérifié"));  // no platform key configured here
  const WebResponse download = request("GET", "/consentements/recu.jws", cookie);
  EXPECT_EQ(download.body, "a.b.c\n");
  EXPECT_EQ(header(download, "Content-Disposition"), "attachment; filename=\"recu-consentement.jws\"");
}

// The shipped policy and words: what a citizen may give, in plain words, and what reaches the
// registry when they give it.
class PortalOffersTest : public PortalAppTest {
 protected:
  PortalOffersTest() {
    auto compiled = policy::load_policy_config(policy::PolicyConfigPaths::in_directory(PSE_SOURCE_DIR "/config"));
    EXPECT_TRUE(compiled.snapshot);
    content_.policy = compiled.snapshot;
    content_.words = CitizenWords::load(PSE_SOURCE_DIR "/config/portal/words.yaml");
  }
};

TEST_F(PortalOffersTest, portal_OffersSayWhoReceivesWhatAndWhy) {
  const std::string cookie = sign_in();
  const WebResponse page = request("GET", "/consentements/nouveau", cookie);
  ASSERT_EQ(page.status, 200);
  EXPECT_THAT(page.body, HasSubstr("<dt>Qui les recevra</dt><dd>Retraite Québec</dd>\n"
                                   "<dt>Qui les fournira</dt><dd>Directeur de l&#39;état civil</dd>\n"
                                   "<dt>Renseignements</dt><dd>votre acte de naissance : nom de famille, prénoms, date de "
                                   "naissance</dd>\n"
                                   "<dt>Fin</dt><dd>vérifier votre admissibilité à la rente de retraite</dd>"));
  EXPECT_THAT(request("GET", "/consentements/nouveau?lang=en", cookie).body,
              HasSubstr("<dt>Who will provide them</dt><dd>Registrar of Civil Status</dd>"));
}

TEST_F(PortalOffersTest, portal_GivingAConsentRecordsItForTheSignedInCitizenOnly) {
  const std::string cookie = sign_in();
  const std::string csrf = csrf_of(cookie);
  const std::string offer = "offer=retraite-quebec-birth-pension%2Fpension_eligibility";
  EXPECT_EQ(request("POST", "/consentements/donner", cookie, "csrf=" + csrf + "&" + offer + "&months=48").status, 400);
  EXPECT_EQ(request("POST", "/consentements/donner", cookie, "csrf=" + csrf + "&offer=invented%2Fx&months=12").status, 400);
  EXPECT_EQ(request("POST", "/consentements/donner", cookie, "csrf=forged&" + offer + "&months=12").status, 403);

  const WebResponse given = request("POST", "/consentements/donner", cookie, "csrf=" + csrf + "&" + offer + "&months=12");
  ASSERT_EQ(given.status, 303);
  EXPECT_EQ(header(given, "Location"), "/consentements/recu?event=granted");
  const auto sent = registry_.calls.back();
  EXPECT_THAT(sent, HasSubstr("POST /v1/consents {"));
  EXPECT_THAT(sent, HasSubstr(R"("subject":"QC-1957-0042","given_by":{"kind":"subject"})"));
  EXPECT_THAT(sent, HasSubstr(R"("provider":"etat-civil","consumer":"retraite-quebec","categories":["identity.birth"])"));
  EXPECT_THAT(sent, HasSubstr(R"("code":"pension_eligibility")"));
  EXPECT_THAT(request("GET", "/consentements/recu?event=granted", cookie).body, HasSubstr("Votre consentement est enregistré"));
}

TEST_F(PortalAppTest, portal_AProofIsAskedForTheSignedInCitizensEntryOnly) {
  const std::string cookie = sign_in();
  EXPECT_EQ(request("GET", "/acces/preuve?seq=12a", cookie).status, 400);
  EXPECT_EQ(request("GET", "/acces/preuve?seq=", cookie).status, 400);
  EXPECT_EQ(request("GET", "/acces/preuve?seq=123456789012345678901", cookie).status, 400);
  const WebResponse proof = request("GET", "/acces/preuve?seq=42", cookie);
  ASSERT_EQ(proof.status, 200);
  EXPECT_EQ(registry_.calls.back(), "GET /v1/subjects/QC-1957-0042/accesses/42/proof {}");
  EXPECT_EQ(header(proof, "Content-Disposition"), "attachment; filename=\"preuve-inscription-42.json\"");
}

TEST_F(PortalAppTest, portal_SessionsEndWhenIdleAndAtSignOut) {
  std::string cookie = sign_in();
  now_ += std::chrono::minutes(16);
  EXPECT_EQ(request("GET", "/consentements", cookie).status, 303);  // idle too long: sign in again

  cookie = sign_in();
  const std::string csrf = csrf_of(cookie);
  EXPECT_EQ(request("POST", "/auth/logout", cookie, "csrf=forged").status, 403);
  const WebResponse out = request("POST", "/auth/logout", cookie, "csrf=" + csrf);
  ASSERT_EQ(out.status, 303);
  EXPECT_EQ(header(out, "Location"), "https://idp.example/logout");
  EXPECT_THAT(header(out, "Set-Cookie"), HasSubstr("Max-Age=0"));
  EXPECT_EQ(request("GET", "/consentements", cookie).status, 303);
}

TEST_F(PortalAppTest, portal_UnknownPathsAndMethodsAreClearRefusals) {
  EXPECT_EQ(request("GET", "/admin").status, 404);
  EXPECT_EQ(request("DELETE", "/consentements").status, 405);
  EXPECT_EQ(request("GET", "/static/portal.css").content_type, "text/css; charset=utf-8");
  const auto headers = PortalApp::security_headers();
  ASSERT_FALSE(headers.empty());
  EXPECT_THAT(headers[0].second, HasSubstr("default-src 'none'"));
  EXPECT_THAT(headers[0].second, Not(HasSubstr("script-src")));
  EXPECT_EQ(PortalApp::error_page(413).status, 413);
}

}  // namespace
}  // namespace pse::portal

namespace pse::portal {
namespace {

TEST_F(PortalOffersTest, portal_AMandateIsGivenForAnotherFileNumberWithinAChosenScope) {
  const std::string cookie = sign_in();
  const std::string csrf = csrf_of(cookie);
  const WebResponse page = request("GET", "/procurations", cookie);
  ASSERT_EQ(page.status, 200);
  EXPECT_THAT(page.body, HasSubstr("name=\"c:identity.birth\""));
  EXPECT_THAT(page.body, HasSubstr("name=\"p:pension_eligibility\""));
  const std::string scope = "&c%3Aidentity.birth=1&p%3Apension_eligibility=1&months=6";
  EXPECT_EQ(request("POST", "/procurations/donner", cookie, "csrf=" + csrf + "&mandatary=QC-1957-0042" + scope).status, 400);
  EXPECT_EQ(request("POST", "/procurations/donner", cookie, "csrf=" + csrf + "&mandatary=QC-B&months=6").status, 400);
  EXPECT_EQ(request("POST", "/procurations/donner", cookie, "csrf=" + csrf + "&mandatary=QC-B&c%3Ainvented=1" + scope).status, 400);
  const WebResponse given = request("POST", "/procurations/donner", cookie, "csrf=" + csrf + "&mandatary=QC-B" + scope);
  ASSERT_EQ(given.status, 303);
  EXPECT_THAT(registry_.calls.back(), HasSubstr(R"(POST /v1/mandates {"mandator":"QC-1957-0042","mandatary":"QC-B",)"
                                                R"("categories":["identity.birth"],"purposes":["pension_eligibility"],)"));
}

TEST_F(PortalOffersTest, portal_ADelegateActsWithinTheMandateOnlyOnceTheFileNumberMatches) {
  const std::string cookie = sign_in();
  const std::string csrf = csrf_of(cookie);
  EXPECT_EQ(request("POST", "/procurations/agir", cookie, "csrf=" + csrf + "&mandate=mdt_1&mandator=QC-SOMEONE-ELSE").status, 403);
  EXPECT_EQ(request("POST", "/procurations/agir", cookie, "csrf=" + csrf + "&mandate=mdt_2&mandator=QC-MANDATOR").status, 403);
  const WebResponse acting = request("POST", "/procurations/agir", cookie, "csrf=" + csrf + "&mandate=mdt_1&mandator=QC-MANDATOR");
  ASSERT_EQ(acting.status, 303);

  // The mandator's consents, within the mandate only, and a banner that says so.
  const WebResponse consents = request("GET", "/consentements", cookie);
  EXPECT_THAT(consents.body, HasSubstr("Vous agissez pour le dossier <strong>QC-MANDATOR</strong>"));
  EXPECT_THAT(consents.body, HasSubstr("value=\"cns_in\""));
  EXPECT_THAT(consents.body, Not(HasSubstr("cns_out")));
  EXPECT_EQ(registry_.calls.back(), "GET /v1/subjects/QC-MANDATOR/consents {}");
  // Only the offers within the scope; one outside it is refused before the broker.
  const std::string offers = request("GET", "/consentements/nouveau", cookie).body;
  EXPECT_THAT(offers, HasSubstr("retraite-quebec-birth-pension/pension_eligibility"));
  EXPECT_THAT(offers, Not(HasSubstr("afe-income-2024")));
  EXPECT_EQ(request("POST", "/consentements/donner", cookie,
                    "csrf=" + csrf + "&offer=afe-income-2024%2Fstudent_aid_eligibility&months=3").status, 403);
  // Pages outside the mandate are closed while acting.
  EXPECT_EQ(request("GET", "/acces", cookie).status, 403);
  EXPECT_EQ(request("GET", "/procurations", cookie).status, 403);
  // A revocation names the mandate, for the broker to check it again.
  ASSERT_EQ(request("POST", "/consentements/revoquer", cookie, "csrf=" + csrf + "&id=cns_in").status, 303);
  EXPECT_EQ(registry_.calls.back(),
            R"(POST /v1/consents/cns_in/revoke {"subject":"QC-MANDATOR","method":"pse-portal",)"
            R"("given_by":{"kind":"mandatary","mandate_id":"mdt_1","mandatary":"QC-1957-0042"}})");
  // Stopping gives the citizen their own file back.
  ASSERT_EQ(request("POST", "/procurations/cesser", cookie, "csrf=" + csrf).status, 303);
  EXPECT_EQ(request("GET", "/acces", cookie).status, 200);
  EXPECT_EQ(registry_.calls.back(), "GET /v1/subjects/QC-1957-0042/accesses {}");
}

}  // namespace
}  // namespace pse::portal
