#include "oidc/id_token.hpp"

#include "oidc/json_input.hpp"
#include "oidc/pkce.hpp"

#include <algorithm>
#include <cctype>

namespace pse::portal::oidc {
namespace {

namespace json = boost::json;

constexpr std::int64_t kMaxLeeway = 300;
constexpr std::int64_t kMaxMaxAge = 366 * 24 * 3600;
constexpr std::int64_t kLatestNow = 253402300799;  // 9999-12-31T23:59:59Z: keeps every sum below in range
constexpr std::size_t kMaxSubjectLength = 128;
constexpr std::size_t kMaxSubLength = 255;  // OpenID Connect Core §2

std::string_view view(const json::string& text) { return {text.data(), text.size()}; }

bool printable_ascii(std::string_view text) {
  return std::all_of(text.begin(), text.end(), [](char c) { return c >= 0x20 && c <= 0x7e; });
}

bool equals_ignoring_case(std::string_view a, std::string_view b) {
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
           return std::tolower(static_cast<unsigned char>(x)) == std::tolower(static_cast<unsigned char>(y));
         });
}

std::string check_expectations(const IdTokenExpectations& expect) {
  if (expect.issuer.empty() || expect.client_id.empty() || expect.nonce.empty() || expect.subject_claim.empty()) {
    return "the ID token check lacks its issuer, client_id, nonce or subject claim";
  }
  if (expect.now <= 0 || expect.now > kLatestNow || expect.leeway < 0 || expect.leeway > kMaxLeeway ||
      expect.max_age < 0 || expect.max_age > kMaxMaxAge) {
    return "the ID token check's time, leeway or max_age is out of range";
  }
  return {};
}

// Whether `aud` names the client, and azp too when there are several audiences.
std::string check_audience(const json::object& claims, const IdTokenExpectations& expect) {
  const json::value* aud = claims.if_contains("aud");
  if (aud == nullptr) return "the ID token has no aud";
  std::size_t audiences = 0;
  bool ours = false;
  if (aud->is_string()) {
    audiences = 1;
    ours = aud->get_string() == expect.client_id;
  } else if (aud->is_array()) {
    for (const json::value& entry : aud->get_array()) {
      if (!entry.is_string()) return "the ID token's aud holds something other than strings";
      ++audiences;
      ours = ours || entry.get_string() == expect.client_id;
    }
  } else {
    return "the ID token's aud is neither a string nor an array";
  }
  if (!ours) return "the ID token is not meant for this client (aud)";
  const json::value* azp = claims.if_contains("azp");
  if (azp == nullptr) {
    if (audiences > 1) return "the ID token has several audiences and no azp";
    return {};
  }
  if (!azp->is_string() || azp->get_string() != expect.client_id) {
    return "the ID token's azp is not this client";
  }
  return {};
}

// exp, iat, nbf and auth_time against the expectations' clock.
std::string check_times(const json::object& claims, const IdTokenExpectations& expect, IdToken& token) {
  const auto exp = integer_member(claims, "exp");
  const auto iat = integer_member(claims, "iat");
  if (!exp) return "the ID token has no integer exp";
  if (!iat) return "the ID token has no integer iat";
  // Written so that no sum can overflow, whatever the token holds: now and leeway are bounded.
  if (*exp <= expect.now - expect.leeway) return "the ID token has expired";
  if (*iat > expect.now + expect.leeway) return "the ID token is issued in the future (iat)";
  if (claims.contains("nbf")) {
    const auto nbf = integer_member(claims, "nbf");
    if (!nbf) return "the ID token's nbf is not an integer";
    if (*nbf > expect.now + expect.leeway) return "the ID token is not valid yet (nbf)";
  }
  if (expect.max_age > 0) {
    const auto auth_time = integer_member(claims, "auth_time");
    if (!auth_time) return "the ID token has no integer auth_time, and a max_age was asked";
    if (*auth_time > expect.now + expect.leeway) return "the ID token's auth_time is in the future";
    if (*auth_time < expect.now - expect.max_age - expect.leeway) {
      return "the citizen signed in longer ago than max_age allows (auth_time)";
    }
  }
  token.issued_at = *iat;
  token.expires_at = *exp;
  return {};
}

}  // namespace

Expected<IdToken, std::string> verify_id_token(std::string_view token, const KeySet& keys,
                                               const IdTokenExpectations& expect) {
  if (auto wrong = check_expectations(expect); !wrong.empty()) return wrong;
  auto jws = verify_jws(token, keys, expect.algorithms);
  if (!jws) return "ID token: " + jws.error();
  // An access token (at+jwt) or a logout token (logout+jwt) of the same provider is no ID token.
  if (const json::value* typ = jws->header.if_contains("typ")) {
    if (!typ->is_string() || !(equals_ignoring_case(view(typ->get_string()), "JWT") ||
                                equals_ignoring_case(view(typ->get_string()), "application/jwt"))) {
      return std::string("the token's typ says it is not an ID token");
    }
  }
  auto claims = parse_json_object(jws->payload, kMaxJwsBytes);
  if (!claims) return std::string("the ID token's claims are not a JSON object");

  const json::string* iss = string_member(*claims, "iss");
  if (iss == nullptr) return std::string("the ID token has no iss");
  if (view(*iss) != expect.issuer) return std::string("the ID token's iss is not the expected issuer");
  if (auto wrong = check_audience(*claims, expect); !wrong.empty()) return wrong;

  const json::string* nonce = string_member(*claims, "nonce");
  if (nonce == nullptr) return std::string("the ID token has no nonce");
  if (!same_secret(view(*nonce), expect.nonce)) return std::string("the ID token's nonce is not this sign-in's");

  IdToken out;
  if (auto wrong = check_times(*claims, expect, out); !wrong.empty()) return wrong;

  const json::string* sub = string_member(*claims, "sub");
  if (sub == nullptr || sub->empty() || sub->size() > kMaxSubLength || !printable_ascii(view(*sub))) {
    return std::string("the ID token's sub is missing or not 1 to 255 printable ASCII characters");
  }
  const json::string* subject = string_member(*claims, expect.subject_claim);
  if (subject == nullptr) return "the ID token has no " + expect.subject_claim + " claim (the PSE subject id)";
  if (subject->empty() || subject->size() > kMaxSubjectLength || !printable_ascii(view(*subject))) {
    return "the ID token's " + expect.subject_claim + " is not 1 to 128 printable ASCII characters";
  }
  const json::value* name = claims->if_contains("name");
  if (name != nullptr && !name->is_string()) return std::string("the ID token's name is not a string");

  out.subject = std::string(view(*subject));
  out.sub = std::string(view(*sub));
  if (name != nullptr) out.name = std::string(name->get_string());
  out.claims = std::move(*claims);
  return out;
}

}  // namespace pse::portal::oidc
