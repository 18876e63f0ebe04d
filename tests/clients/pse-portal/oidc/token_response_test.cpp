// The token endpoint's answer: the ID token and a Bearer type, or the OAuth error by its code.
#include "oidc/token_response.hpp"

#include "oidc/jws.hpp"

#include <gtest/gtest.h>

namespace pse::portal::oidc {
namespace {

std::string error_of(std::string_view json) {
  const auto response = parse_token_response(json);
  return response ? "accepted" : response.error();
}

TEST(TokenResponse, ReadsASuccessfulAnswer) {
  const auto response = parse_token_response(
      R"({"access_token":"SlAV32hkKG","token_type":"Bearer","expires_in":3600,"scope":"openid pse","id_token":"eyJh.eyJi.c2ln"})");
  ASSERT_TRUE(response) << response.error();
  EXPECT_EQ(response->id_token, "eyJh.eyJi.c2ln");
  EXPECT_EQ(response->access_token, "SlAV32hkKG");
  EXPECT_EQ(response->token_type, "Bearer");
  EXPECT_EQ(response->scope, "openid pse");
  EXPECT_EQ(response->expires_in, 3600);
}

TEST(TokenResponse, TokenTypeIsBearerInAnyCase) {
  EXPECT_EQ(error_of(R"({"id_token":"a.b.c","token_type":"bearer"})"), "accepted");
  EXPECT_EQ(error_of(R"({"id_token":"a.b.c","token_type":"BEARER"})"), "accepted");
  EXPECT_EQ(error_of(R"({"id_token":"a.b.c"})"), "accepted");
  EXPECT_EQ(error_of(R"({"id_token":"a.b.c","token_type":"DPoP"})"), "the token endpoint's token_type is not Bearer");
  EXPECT_EQ(error_of(R"({"id_token":"a.b.c","token_type":"bearerx"})"), "the token endpoint's token_type is not Bearer");
  EXPECT_EQ(error_of(R"({"id_token":"a.b.c","token_type":1})"), "the token endpoint's token_type is not a string");
}

TEST(TokenResponse, IdTokenIsRequired) {
  EXPECT_EQ(error_of(R"({"access_token":"x","token_type":"Bearer"})"), "the token endpoint's answer has no id_token");
  EXPECT_EQ(error_of(R"({"id_token":""})"), "the token endpoint's answer has no id_token");
  EXPECT_EQ(error_of(R"({"id_token":["a.b.c"]})"), "the token endpoint's answer has no id_token");
  const std::string long_token = R"({"id_token":")" + std::string(kMaxJwsBytes + 1, 'a') + R"("})";
  EXPECT_EQ(error_of(long_token), "the token endpoint's id_token is longer than 16 KiB");
}

TEST(TokenResponse, AnOAuthErrorIsNamedByItsCodeOnly) {
  const std::string error =
      error_of(R"({"error":"invalid_grant","error_description":"grant request is invalid: code abc123 was used"})");
  EXPECT_EQ(error, "the token endpoint refused the request: invalid_grant");
  EXPECT_EQ(error.find("abc123"), std::string::npos);
  EXPECT_EQ(error_of(R"({"error":"invalid_client","id_token":"a.b.c"})"),
            "the token endpoint refused the request: invalid_client");
  EXPECT_EQ(error_of(R"({"error":"<script>alert(1)</script>"})"),
            "the token endpoint refused the request (unreadable error code)");
  EXPECT_EQ(error_of(R"({"error":42})"), "the token endpoint refused the request (unreadable error code)");
}

TEST(TokenResponse, MalformedAnswersAreRefused) {
  EXPECT_EQ(error_of("<html>502</html>"), "the token endpoint's answer is not a JSON object");
  EXPECT_EQ(error_of(R"(["a.b.c"])"), "the token endpoint's answer is not a JSON object");
  EXPECT_EQ(error_of(R"({"id_token":"a.b.c","expires_in":-1})"), "the token endpoint's expires_in is not a positive integer");
  EXPECT_EQ(error_of(R"({"id_token":"a.b.c","expires_in":"3600"})"),
            "the token endpoint's expires_in is not a positive integer");
  EXPECT_EQ(error_of(R"({"id_token":"a.b.c","access_token":5})"),
            "the token endpoint's access_token or scope is not a string");
  EXPECT_EQ(error_of(std::string(kMaxTokenResponseBytes + 1, ' ')), "the token endpoint's answer is larger than 64 KiB");
}

}  // namespace
}  // namespace pse::portal::oidc
