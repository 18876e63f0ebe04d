// The discovery document (issuer, https endpoints, PKCE S256) and the requests built from it:
// the authorization URL, the token request's body and the Basic credentials, percent-encoded.
#include "oidc/provider_metadata.hpp"

#include "base/base64.hpp"

#include <boost/json.hpp>

#include <gtest/gtest.h>

namespace pse::portal::oidc {
namespace {

namespace json = boost::json;

constexpr std::string_view kIssuer = "https://idp.example.gouv.qc.ca:8443";

// What oidc-provider publishes, cut to what matters here.
json::object discovery() {
  return {{"issuer", kIssuer},
          {"authorization_endpoint", std::string(kIssuer) + "/auth"},
          {"token_endpoint", std::string(kIssuer) + "/token"},
          {"jwks_uri", std::string(kIssuer) + "/jwks"},
          {"end_session_endpoint", std::string(kIssuer) + "/session/end"},
          {"response_types_supported", json::array{"code"}},
          {"code_challenge_methods_supported", json::array{"S256"}},
          {"id_token_signing_alg_values_supported", json::array{"RS256"}}};
}

std::string error_of(const json::object& document, std::string_view issuer = kIssuer) {
  const auto metadata = parse_provider_metadata(json::serialize(document), issuer);
  return metadata ? "accepted" : metadata.error();
}

TEST(ProviderMetadata, ReadsTheDocument) {
  const auto metadata = parse_provider_metadata(json::serialize(discovery()), kIssuer);
  ASSERT_TRUE(metadata) << metadata.error();
  EXPECT_EQ(metadata->issuer, kIssuer);
  EXPECT_EQ(metadata->authorization_endpoint, "https://idp.example.gouv.qc.ca:8443/auth");
  EXPECT_EQ(metadata->token_endpoint, "https://idp.example.gouv.qc.ca:8443/token");
  EXPECT_EQ(metadata->jwks_uri, "https://idp.example.gouv.qc.ca:8443/jwks");
  EXPECT_EQ(metadata->end_session_endpoint, "https://idp.example.gouv.qc.ca:8443/session/end");
}

TEST(ProviderMetadata, EndSessionAndPkceListAreOptional) {
  json::object document = discovery();
  document.erase("end_session_endpoint");
  document.erase("code_challenge_methods_supported");
  const auto metadata = parse_provider_metadata(json::serialize(document), kIssuer);
  ASSERT_TRUE(metadata) << metadata.error();
  EXPECT_TRUE(metadata->end_session_endpoint.empty());
}

TEST(ProviderMetadata, IssuerMustBeTheConfiguredOne) {
  EXPECT_EQ(error_of(discovery(), "https://other.example"), "the discovery document's issuer is not the configured issuer");
  EXPECT_EQ(error_of(discovery(), std::string(kIssuer) + "/"),
            "the discovery document's issuer is not the configured issuer");
  EXPECT_EQ(error_of(discovery(), ""), "the discovery document's issuer is not the configured issuer");
  json::object document = discovery();
  document.erase("issuer");
  EXPECT_EQ(error_of(document), "the discovery document has no issuer");
  document = discovery();
  document["issuer"] = "http://idp.example";
  EXPECT_EQ(error_of(document, "http://idp.example"), "the issuer is not an https:// URL without query or fragment");
}

TEST(ProviderMetadata, EveryEndpointMustBeHttps) {
  for (const char* name : {"authorization_endpoint", "token_endpoint", "jwks_uri", "end_session_endpoint"}) {
    json::object document = discovery();
    document[name] = "http://idp.example.gouv.qc.ca:8443/x";
    EXPECT_EQ(error_of(document), "the discovery document's " + std::string(name) + " is not an https:// URL");
    document[name] = 42;
    EXPECT_EQ(error_of(document), "the discovery document has no " + std::string(name));
  }
  json::object document = discovery();
  document.erase("jwks_uri");
  EXPECT_EQ(error_of(document), "the discovery document has no jwks_uri");
}

TEST(ProviderMetadata, PkceS256MustBeSupported) {
  json::object document = discovery();
  document["code_challenge_methods_supported"] = json::array{"plain"};
  EXPECT_EQ(error_of(document), "the provider does not support PKCE with S256 (code_challenge_methods_supported)");
  document["code_challenge_methods_supported"] = "S256";
  EXPECT_EQ(error_of(document), "the provider does not support PKCE with S256 (code_challenge_methods_supported)");
  document["code_challenge_methods_supported"] = json::array{"plain", "S256"};
  EXPECT_EQ(error_of(document), "accepted");
}

TEST(ProviderMetadata, MalformedOrOversizedDocumentsAreRefused) {
  EXPECT_EQ(parse_provider_metadata("{", kIssuer).error(), "the discovery document is not a JSON object");
  EXPECT_EQ(parse_provider_metadata("[]", kIssuer).error(), "the discovery document is not a JSON object");
  json::object document = discovery();
  document["padding"] = std::string(kMaxMetadataBytes, ' ');
  EXPECT_EQ(error_of(document), "the discovery document is larger than 64 KiB");
}

TEST(ProviderMetadata, HttpsUrls) {
  EXPECT_TRUE(is_https_url("https://idp.example"));
  EXPECT_TRUE(is_https_url("https://idp.example:8443/auth?tenant=qc"));
  EXPECT_TRUE(is_https_url("https://[::1]:8443"));
  EXPECT_TRUE(is_https_url("https://127.0.0.1:8443/jwks"));
  EXPECT_FALSE(is_https_url("http://idp.example"));
  EXPECT_FALSE(is_https_url("HTTPS://idp.example"));
  EXPECT_FALSE(is_https_url("https://"));
  EXPECT_FALSE(is_https_url("https:///path"));
  EXPECT_FALSE(is_https_url("https://:8443/"));
  EXPECT_FALSE(is_https_url("https://user:pw@idp.example/"));
  EXPECT_FALSE(is_https_url("https://idp.example/auth#fragment"));
  EXPECT_FALSE(is_https_url("https://idp.example/a b"));
  EXPECT_FALSE(is_https_url("https://idp.example/\xC3\xA9"));
  EXPECT_FALSE(is_https_url("javascript:alert(1)//https://"));
  EXPECT_FALSE(is_https_url("https://idp.example/" + std::string(kMaxUrlLength, 'a')));
}

TEST(AuthorizationUrl, CarriesEveryParameterEncoded) {
  ProviderMetadata metadata;
  metadata.authorization_endpoint = "https://idp.example/auth";
  const std::string url = authorization_url(metadata, "pse-portal", "https://portal.example/callback?from=a&b=c",
                                            "openid pse", "st4te", "n0nce", "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM");
  EXPECT_EQ(url,
            "https://idp.example/auth?response_type=code&client_id=pse-portal"
            "&redirect_uri=https%3A%2F%2Fportal.example%2Fcallback%3Ffrom%3Da%26b%3Dc"
            "&scope=openid%20pse&state=st4te&nonce=n0nce"
            "&code_challenge=E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM&code_challenge_method=S256");
}

TEST(AuthorizationUrl, KeepsTheEndpointsQuery) {
  ProviderMetadata metadata;
  metadata.authorization_endpoint = "https://idp.example/auth?tenant=qc";
  const std::string url = authorization_url(metadata, "c", "https://p/cb", "openid", "s", "n", "x");
  EXPECT_TRUE(url.starts_with("https://idp.example/auth?tenant=qc&response_type=code&client_id=c&")) << url;
}

TEST(AuthorizationUrl, EncodesReservedCharactersAndUtf8) {
  ProviderMetadata metadata;
  metadata.authorization_endpoint = "https://idp.example/auth";
  const std::string url = authorization_url(metadata, "client é/ü", "https://p/cb", ":/?#[]@!$&'()*+,;=% ~-._",
                                            "s", "n", "x");
  EXPECT_NE(url.find("&client_id=client%20%C3%A9%2F%C3%BC&"), std::string::npos) << url;
  EXPECT_NE(url.find("&scope=%3A%2F%3F%23%5B%5D%40%21%24%26%27%28%29%2A%2B%2C%3B%3D%25%20~-._&"), std::string::npos)
      << url;
}

TEST(TokenRequest, BodyIsFormEncoded) {
  EXPECT_EQ(token_request_body("SplxlOBeZQQYbYS6WxSbIA", "https://client.example.com/cb",
                               "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk"),
            "grant_type=authorization_code&code=SplxlOBeZQQYbYS6WxSbIA"
            "&redirect_uri=https%3A%2F%2Fclient.example.com%2Fcb"
            "&code_verifier=dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk");
  EXPECT_EQ(token_request_body("a+b&c=d", "https://p/cb", "v"),
            "grant_type=authorization_code&code=a%2Bb%26c%3Dd&redirect_uri=https%3A%2F%2Fp%2Fcb&code_verifier=v");
}

TEST(TokenRequest, BasicAuthorizationIsRfc6749sExample) {
  // RFC 6749 §2.3.1 / §4.1.3: client s6BhdRkqt3, secret 7Fjfp0ZBr1KtDRbnfVdmIw.
  EXPECT_EQ(basic_authorization("s6BhdRkqt3", "7Fjfp0ZBr1KtDRbnfVdmIw"), "Basic czZCaGRSa3F0Mzo3RmpmcDBaQnIxS3REUmJuZlZkbUl3");
}

TEST(TokenRequest, BasicAuthorizationEncodesEachPartFirst) {
  const std::string header = basic_authorization("portal:qc", "p@ss w%rd/é");
  ASSERT_TRUE(header.starts_with("Basic "));
  EXPECT_EQ(from_base64(std::string_view(header).substr(6), Base64::standard),
            std::optional<std::string>("portal%3Aqc:p%40ss%20w%25rd%2F%C3%A9"));
}

}  // namespace
}  // namespace pse::portal::oidc
