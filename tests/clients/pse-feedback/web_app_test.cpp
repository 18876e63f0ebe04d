// The citizen-facing application without sockets: links, CSRF, honeypot, validation messages,
// one answer per link, rate limiting, security headers, and inert rendering of what was typed.
// GCC 12 with -fsanitize=address reports a false -Wmaybe-uninitialized inside std::regex's
// compiler (a std::function member of a moved _State).
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
#endif

#include "web_app.hpp"

#include "form.hpp"
#include "support/temp_dir.hpp"

#include <gmock/gmock.h>

#include <regex>

namespace pse::feedback {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

constexpr std::int64_t kNow = 1'800'000'000;

std::array<unsigned char, 32> seed() {
  std::array<unsigned char, 32> bytes{};
  bytes.fill(42);
  return bytes;
}

class WebAppTest : public ::testing::Test {
 protected:
  WebAppTest()
      : services_({{"saaq-immatriculation", "saaq", "Immatriculation d'un véhicule", "Vehicle registration"}}),
        signer_(seed()),
        store_(dir_ / "feedback.db"),
        words_({"merde"}, {"je vais te tuer"}),
        limiter_(5, 60'000),
        app_(services_, signer_, store_, words_, limiter_, WebAppOptions{}, [this] { return now_; },
             [this] { return monotonic_ms_; }) {}

  std::string link(const std::string& transaction, std::int64_t expires = kNow + 3600) const {
    return signer_.issue({"saaq-immatriculation", transaction, expires});
  }

  WebResponse get(const std::string& target, const std::string& cookie = {}) {
    return app_.handle({"GET", target, cookie, "", "", "192.0.2.1", ""});
  }

  WebResponse post(const std::string& token, const std::string& body, const std::string& cookie,
                   const std::string& content_type = "application/x-www-form-urlencoded",
                   const std::string& address = "192.0.2.1") {
    return app_.handle({"POST", "/f/" + token, cookie, content_type, body, address, ""});
  }

  // Opens the form like a browser: the cookie it sets and the CSRF field it holds.
  std::pair<std::string, std::string> open_form(const std::string& token) {
    const WebResponse page = get("/f/" + token);
    EXPECT_EQ(page.status, 200) << page.body;
    std::string cookie;
    for (const auto& [name, value] : page.headers) {
      if (name == "Set-Cookie") cookie = value.substr(0, value.find(';'));
    }
    std::smatch match;
    EXPECT_TRUE(std::regex_search(page.body, match, std::regex("name=\"csrf\" value=\"([^\"]+)\"")));
    return {cookie, match[1].str()};
  }

  testing::TempDir dir_;
  ServiceCatalog services_;
  LinkSigner signer_;
  FeedbackStore store_;
  WordFilter words_;
  RateLimiter limiter_;
  std::int64_t now_ = kNow;
  std::int64_t monotonic_ms_ = 1000;
  WebApp app_;
};

TEST_F(WebAppTest, feedback_FormInFrenchByDefaultAndEnglishOnRequest) {
  const std::string token = link("TX-1");
  const WebResponse fr = get("/f/" + token);
  EXPECT_EQ(fr.status, 200);
  EXPECT_THAT(fr.body, HasSubstr("<html lang=\"fr\">"));
  EXPECT_THAT(fr.body, HasSubstr("Avez-vous obtenu ce dont vous aviez besoin?"));
  EXPECT_THAT(fr.body, HasSubstr("Immatriculation d&#39;un véhicule"));
  EXPECT_THAT(fr.body, HasSubstr("hreflang=\"en\""));
  EXPECT_THAT(fr.body, HasSubstr("<legend>"));
  EXPECT_THAT(fr.body, HasSubstr("<label for=\"comment\">"));
  EXPECT_THAT(fr.body, Not(HasSubstr("<script")));
  const WebResponse en = get("/f/" + token + "?lang=en");
  EXPECT_THAT(en.body, HasSubstr("<html lang=\"en\">"));
  EXPECT_THAT(en.body, HasSubstr("Did you get what you needed?"));
  EXPECT_THAT(en.body, HasSubstr("Vehicle registration"));
}

TEST_F(WebAppTest, feedback_SecurityHeadersOnEveryResponse) {
  auto headers = security_headers();
  auto csp = std::find_if(headers.begin(), headers.end(), [](auto& h) { return h.first == "Content-Security-Policy"; });
  ASSERT_NE(csp, headers.end());
  EXPECT_THAT(csp->second, HasSubstr("frame-ancestors 'none'"));
  EXPECT_THAT(csp->second, Not(HasSubstr("script-src")));
  EXPECT_THAT(csp->second, Not(HasSubstr("unsafe-inline")));
  const WebResponse css = get("/static/feedback.css");
  EXPECT_EQ(css.status, 200);
  EXPECT_EQ(css.content_type, "text/css; charset=utf-8");
}

TEST(feedback_ErrorPage, TheServersRefusalsAreTheFeedbackPages) {
  EXPECT_THAT(error_page(413).body, HasSubstr("Envoi trop volumineux"));
  EXPECT_EQ(error_page(413).status, 413);
  EXPECT_EQ(error_page(431).status, 431);
  EXPECT_EQ(error_page(500).status, 500);
  EXPECT_NE(error_page(400).body, error_page(500).body);
}

TEST_F(WebAppTest, feedback_ForgedExpiredAndUnknownLinksRefusedWithAPage) {
  const LinkSigner forger(std::array<unsigned char, 32>{});
  const WebResponse forged = get("/f/" + forger.issue({"saaq-immatriculation", "TX-1", kNow + 60}));
  EXPECT_EQ(forged.status, 403);
  EXPECT_THAT(forged.body, HasSubstr("Ce lien n'est pas valide"));
  const WebResponse expired = get("/f/" + link("TX-1", kNow - 1));
  EXPECT_EQ(expired.status, 410);
  EXPECT_THAT(expired.body, HasSubstr("Ce lien a expiré"));
  const WebResponse garbage = get("/f/%3Cscript%3E?lang=en");
  EXPECT_EQ(garbage.status, 403);
  EXPECT_THAT(garbage.body, HasSubstr("This link is not valid"));
  const WebResponse unknown = get("/f/" + signer_.issue({"no-such-service", "TX-1", kNow + 60}));
  EXPECT_EQ(unknown.status, 404);
  EXPECT_EQ(get("/admin").status, 404);
}

TEST_F(WebAppTest, feedback_AnswerStoredOnceThenLinkRefused) {
  const std::string token = link("TX-7");
  const auto [cookie, csrf] = open_form(token);
  const std::string body = "csrf=" + csrf + "&rating=4&got_what_needed=yes&comment=Tr%C3%A8s+bien%2C+merci&website=";
  const WebResponse sent = post(token, body, cookie);
  EXPECT_EQ(sent.status, 200) << sent.body;
  EXPECT_THAT(sent.body, HasSubstr("Merci de votre avis"));
  auto stored = store_.list(std::nullopt);
  ASSERT_EQ(stored->size(), 1U);
  EXPECT_EQ(stored->front().comment, "Très bien, merci");
  EXPECT_EQ(stored->front().rating, 4);
  EXPECT_TRUE(stored->front().got_what_needed);
  EXPECT_EQ(stored->front().submitted_on, "2027-01-15");
  EXPECT_EQ(stored->front().status, FeedbackStatus::approved);

  const WebResponse again = post(token, body, cookie);
  EXPECT_EQ(again.status, 409);
  EXPECT_THAT(again.body, HasSubstr("Vous avez déjà répondu"));
  EXPECT_EQ(get("/f/" + token).status, 409);
  EXPECT_EQ(store_.list(std::nullopt)->size(), 1U);
}

TEST_F(WebAppTest, feedback_PersonalInformationMaskedBeforeStorage) {
  const std::string token = link("TX-8");
  const auto [cookie, csrf] = open_form(token);
  const WebResponse sent =
      post(token, "csrf=" + csrf + "&rating=2&got_what_needed=no&comment=Mon+NAS+046+454+286+et+quelle+merde", cookie);
  EXPECT_EQ(sent.status, 200);
  auto pending = store_.list(FeedbackStatus::pending);
  ASSERT_EQ(pending->size(), 1U);
  EXPECT_EQ(pending->front().comment, "Mon NAS [NAS masqué] et quelle ####");
  EXPECT_EQ(pending->front().reasons, "pii:social_insurance_number,profanity");
}

TEST_F(WebAppTest, feedback_CsrfMissingOrWrongRefused) {
  const std::string token = link("TX-9");
  const auto [cookie, csrf] = open_form(token);
  const std::string fields = "&rating=4&got_what_needed=yes";
  EXPECT_EQ(post(token, "csrf=" + csrf + fields, "").status, 403);  // no cookie
  EXPECT_EQ(post(token, "csrf=AAAA" + fields, cookie).status, 403);
  const WebResponse other_cookie = post(token, "csrf=" + csrf + fields, std::string(kCsrfCookie) + "=" + std::string(43, 'x'));
  EXPECT_EQ(other_cookie.status, 403);
  EXPECT_THAT(other_cookie.body, HasSubstr("Votre session a expiré"));
  // A field made for another link does not work on this one.
  const std::string token2 = link("TX-10");
  EXPECT_EQ(post(token2, "csrf=" + csrf + fields, cookie).status, 403);
  EXPECT_TRUE(store_.list(std::nullopt)->empty());
  EXPECT_EQ(post(token, "csrf=" + csrf + fields, cookie).status, 200);
}

TEST_F(WebAppTest, feedback_HoneypotThanksTheRobotAndKeepsNothing) {
  const std::string token = link("TX-11");
  const auto [cookie, csrf] = open_form(token);
  const WebResponse robot = post(token, "csrf=" + csrf + "&rating=5&got_what_needed=yes&website=http%3A%2F%2Fspam", cookie);
  EXPECT_EQ(robot.status, 200);
  EXPECT_TRUE(store_.list(std::nullopt)->empty());
  EXPECT_FALSE(*store_.link_used(transaction_key(signer_.derive_key(2), {"saaq-immatriculation", "TX-11", 0})));
}

TEST_F(WebAppTest, feedback_EveryBadFieldGetsAMessageTiedToIt) {
  const std::string token = link("TX-12");
  const auto [cookie, csrf] = open_form(token);
  const std::string long_comment(2001, 'a');
  const WebResponse page = post(token, "csrf=" + csrf + "&rating=9&comment=" + long_comment, cookie);
  EXPECT_EQ(page.status, 400);
  EXPECT_THAT(page.body, HasSubstr("role=\"alert\""));
  EXPECT_THAT(page.body, HasSubstr("La note doit être un nombre de 1 à 5."));
  EXPECT_THAT(page.body, HasSubstr("Indiquez si vous avez obtenu ce dont vous aviez besoin."));
  EXPECT_THAT(page.body, HasSubstr("Votre commentaire est trop long"));
  EXPECT_THAT(page.body, HasSubstr("<fieldset class=\"rating\" aria-describedby=\"rating-error\">"));
  EXPECT_THAT(page.body, HasSubstr("id=\"rating-error\""));
  EXPECT_THAT(page.body, HasSubstr("aria-describedby=\"comment-hint comment-error\" aria-invalid=\"true\""));
  EXPECT_THAT(page.body, HasSubstr("<a href=\"#rating-1\">"));
  EXPECT_TRUE(store_.list(std::nullopt)->empty());
  // The link still works after the errors.
  EXPECT_EQ(post(token, "csrf=" + csrf + "&rating=3&got_what_needed=no", cookie).status, 200);
}

TEST_F(WebAppTest, feedback_WhatWasTypedIsShownBackInertly) {
  const std::string token = link("TX-13");
  const auto [cookie, csrf] = open_form(token);
  const WebResponse page = post(token, "csrf=" + csrf + "&comment=%3C%2Ftextarea%3E%3Cscript%3Ealert(1)%3C%2Fscript%3E", cookie);
  EXPECT_EQ(page.status, 400);
  EXPECT_THAT(page.body, Not(HasSubstr("<script>")));
  EXPECT_THAT(page.body, HasSubstr("&lt;/textarea&gt;&lt;script&gt;alert(1)&lt;/script&gt;</textarea>"));
}

TEST_F(WebAppTest, feedback_MalformedAndWrongTypePostsAre4xx) {
  const std::string token = link("TX-14");
  const auto [cookie, csrf] = open_form(token);
  EXPECT_EQ(post(token, "csrf=" + csrf + "&rating=%ZZ", cookie).status, 400);
  EXPECT_EQ(post(token, "csrf=" + csrf + "&rating=4&rating=5", cookie).status, 400);
  EXPECT_EQ(post(token, "csrf=" + csrf + "&admin=1", cookie).status, 400);
  EXPECT_EQ(post(token, "csrf=" + csrf + "&comment=%FF%FE", cookie).status, 400);
  EXPECT_EQ(post(token, "{\"rating\":5}", cookie, "application/json").status, 415);
  EXPECT_EQ(app_.handle({"PUT", "/f/" + token, cookie, "", "", "192.0.2.1", ""}).status, 405);
  EXPECT_TRUE(store_.list(std::nullopt)->empty());
}

TEST_F(WebAppTest, feedback_PostsRateLimitedPerAddress) {
  const std::string token = link("TX-15");
  for (int i = 0; i < 5; ++i) EXPECT_EQ(post(token, "rating=x", "", "text/plain").status, 415);
  const WebResponse limited = post(token, "rating=x", "", "text/plain");
  EXPECT_EQ(limited.status, 429);
  EXPECT_THAT(limited.body, HasSubstr("Trop de tentatives"));
  EXPECT_EQ(post(token, "rating=x", "", "text/plain", "198.51.100.7").status, 415);  // another address
  monotonic_ms_ += 12'000;  // one token back after a fifth of the window
  EXPECT_EQ(post(token, "rating=x", "", "text/plain").status, 415);
  EXPECT_EQ(post(token, "rating=x", "", "text/plain").status, 429);
}

TEST_F(WebAppTest, feedback_PostsWithoutAGenuineLinkSpendNothingOfTheAddressBudget) {
  // Someone behind the same address as citizens (a NAT, a library) posts garbage links.
  for (int i = 0; i < 20; ++i) {
    EXPECT_EQ(post("forged-" + std::to_string(i), "rating=x", "", "text/plain").status, 403) << i;
  }
  EXPECT_EQ(post(link("TX-16", kNow - 1), "rating=x", "", "text/plain").status, 410);
  // A citizen at that address with a genuine link still has the whole budget.
  const std::string token = link("TX-17");
  for (int i = 0; i < 5; ++i) EXPECT_EQ(post(token, "rating=x", "", "text/plain").status, 415) << i;
  EXPECT_EQ(post(token, "rating=x", "", "text/plain").status, 429);
}

TEST_F(WebAppTest, feedback_AnIPv6ClientIsLimitedPerSlash64) {
  const std::string token = link("TX-18");
  // Five posts from five addresses of one /64: the budget of one client.
  for (const char* address : {"2001:db8:1:2::1", "2001:db8:1:2::2", "2001:db8:1:2:ffff:ffff:ffff:ffff",
                              "2001:db8:1:2:a:b:c:d", "2001:DB8:1:2::99"}) {
    EXPECT_EQ(post(token, "rating=x", "", "text/plain", address).status, 415) << address;
  }
  EXPECT_EQ(post(token, "rating=x", "", "text/plain", "2001:db8:1:2::1234").status, 429);
  // The next /64 is another client.
  EXPECT_EQ(post(token, "rating=x", "", "text/plain", "2001:db8:1:3::1").status, 415);
}

TEST(feedback_Form, Validate) {
  auto ok = validate_answer({"5", "no", "  bien  "}, 10);
  ASSERT_TRUE(ok);
  EXPECT_EQ(ok->rating, 5);
  EXPECT_FALSE(ok->got_what_needed);
  EXPECT_EQ(ok->comment, "bien");
  // Length counts characters, not bytes: ten accented letters fit in ten.
  EXPECT_TRUE(validate_answer({"1", "yes", "éééééééééé"}, 10));
  auto bad = validate_answer({"0", "maybe", "éééééééééée"}, 10);
  ASSERT_FALSE(bad);
  EXPECT_EQ(bad.error().rating, FieldError::invalid);
  EXPECT_EQ(bad.error().got_what_needed, FieldError::invalid);
  EXPECT_EQ(bad.error().comment, FieldError::too_long);
  EXPECT_EQ(validate_answer({"", "", ""}, 10).error().rating, FieldError::missing);
}

}  // namespace
}  // namespace pse::feedback
