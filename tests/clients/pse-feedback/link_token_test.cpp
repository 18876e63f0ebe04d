// One-time links: issued tokens verify; forged, altered, truncated and expired ones do not.
#include "link_token.hpp"

#include "support/temp_dir.hpp"

#include <gmock/gmock.h>

#include <sys/stat.h>

namespace pse::feedback {
namespace {

using ::testing::HasSubstr;

std::array<unsigned char, 32> seed(unsigned char fill) {
  std::array<unsigned char, 32> bytes{};
  bytes.fill(fill);
  return bytes;
}

constexpr std::int64_t kNow = 1'800'000'000;

TEST(feedback_LinkToken, IssuedTokenVerifies) {
  const LinkSigner signer(seed(7));
  const std::string token = signer.issue({"saaq-permis-renouvellement", "TX-2026-000123", kNow + 3600});
  auto claims = signer.verify(token, kNow);
  ASSERT_TRUE(claims);
  EXPECT_EQ(claims->service, "saaq-permis-renouvellement");
  EXPECT_EQ(claims->transaction, "TX-2026-000123");
  EXPECT_EQ(claims->expires_at, kNow + 3600);
  // URL-safe: nothing to escape in /f/<token>.
  EXPECT_EQ(token.find_first_not_of("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_."), std::string::npos);
}

TEST(feedback_LinkToken, ExpiredRefused) {
  const LinkSigner signer(seed(7));
  const std::string token = signer.issue({"saaq-permis-renouvellement", "TX-1", kNow});
  auto claims = signer.verify(token, kNow);
  ASSERT_FALSE(claims);
  EXPECT_EQ(claims.error(), TokenError::expired);
}

TEST(feedback_LinkToken, SignedByAnotherKeyRefused) {
  const LinkSigner signer(seed(7));
  const LinkSigner forger(seed(8));
  auto claims = signer.verify(forger.issue({"saaq-permis-renouvellement", "TX-1", kNow + 60}), kNow);
  ASSERT_FALSE(claims);
  EXPECT_EQ(claims.error(), TokenError::bad_signature);
}

TEST(feedback_LinkToken, AlteredPayloadRefused) {
  const LinkSigner signer(seed(7));
  const std::string genuine = signer.issue({"saaq-permis-renouvellement", "TX-1", kNow + 60});
  // Swap the payload for one naming another service, keep the signature.
  const std::string payload = "1|ramq-carte-assurance-maladie|TX-1|" + std::to_string(kNow + 60);
  const std::string forged = base64url(reinterpret_cast<const unsigned char*>(payload.data()), payload.size()) +
                             genuine.substr(genuine.find('.'));
  auto claims = signer.verify(forged, kNow);
  ASSERT_FALSE(claims);
  EXPECT_EQ(claims.error(), TokenError::bad_signature);
}

TEST(feedback_LinkToken, GarbageRefusedAsMalformed) {
  const LinkSigner signer(seed(7));
  const std::string genuine = signer.issue({"saaq-permis-renouvellement", "TX-1", kNow + 60});
  for (const std::string& token : {std::string(), std::string("abc"), std::string("a.b"), genuine.substr(0, genuine.size() - 5),
                                   genuine + "!", std::string(600, 'A') + "." + std::string(86, 'A'),
                                   genuine.substr(0, genuine.find('.') + 1), genuine.substr(genuine.find('.')), std::string(".")}) {
    auto claims = signer.verify(token, kNow);
    ASSERT_FALSE(claims) << token;
    EXPECT_NE(claims.error(), TokenError::expired) << token;
  }
}

TEST(feedback_LinkToken, KeyFileCreatedPrivateAndLoaded) {
  testing::TempDir dir;
  const auto file = dir / "feedback-signing.key";
  EXPECT_EQ(LinkSigner::generate_key_file(file), "");
  struct stat info {};
  ASSERT_EQ(::stat(file.c_str(), &info), 0);
  EXPECT_EQ(info.st_mode & 0777U, 0600U);
  EXPECT_THAT(LinkSigner::generate_key_file(file), HasSubstr("must not exist"));
  auto signer = LinkSigner::load(file);
  ASSERT_TRUE(signer) << signer.error();
  const std::string token = signer->issue({"saaq-immatriculation", "T", kNow + 10});
  EXPECT_TRUE(LinkSigner::load(file)->verify(token, kNow));
}

TEST(feedback_LinkToken, KeyFileReadableByOthersRefused) {
  testing::TempDir dir;
  const auto file = dir / "key";
  ASSERT_EQ(LinkSigner::generate_key_file(file), "");
  ::chmod(file.c_str(), 0644);
  auto signer = LinkSigner::load(file);
  ASSERT_FALSE(signer);
  EXPECT_THAT(signer.error(), HasSubstr("chmod 600"));
  const auto bad = dir.write("bad", "not hex\n");
  ::chmod(bad.c_str(), 0600);
  EXPECT_FALSE(LinkSigner::load(bad));
}

TEST(feedback_LinkToken, TransactionKeyIsKeyedAndStable) {
  const LinkSigner signer(seed(7));
  const auto key = signer.derive_key(2);
  const LinkClaims claims{"saaq-immatriculation", "TX-1", 0};
  EXPECT_EQ(transaction_key(key, claims), transaction_key(key, claims));
  EXPECT_NE(transaction_key(key, claims), transaction_key(signer.derive_key(3), claims));
  EXPECT_EQ(transaction_key(key, claims).find("TX-1"), std::string::npos);
  EXPECT_NE(transaction_key(key, claims), transaction_key(key, {"saaq-immatriculation", "TX-2", 0}));
}

}  // namespace
}  // namespace pse::feedback
