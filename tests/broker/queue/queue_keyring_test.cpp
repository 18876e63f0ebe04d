// QueueKeyring: loading key files and refusing bad ones; sealing and opening.
#include "broker/queue/queue_keyring.hpp"

#include "base/config_error.hpp"
#include "queue_test_support.hpp"

#include <gtest/gtest.h>

namespace pse::queue {
namespace {

using testing::random_key_base64;
using testing::write_key_file;

// Runs `load` and returns the ConfigError it throws (fails the test if it does not throw).
template <typename F>
ConfigError refusal_of(F load) {
  try {
    load();
  } catch (const ConfigError& error) {
    return error;
  }
  ADD_FAILURE() << "expected a ConfigError";
  return ConfigError("", 0, "");
}

TEST(QueueKeyringTest, LoadsEveryKeyFileWithOrWithoutTrailingNewline) {
  pse::testing::TempDir dir;
  write_key_file(dir, "2026a", random_key_base64() + "\n");
  write_key_file(dir, "old_key-1", random_key_base64());
  dir.write("keys/README", "not a key");  // other files are ignored
  const QueueKeyring keyring = QueueKeyring::load(dir / "keys", "2026a");
  EXPECT_EQ(keyring.size(), 2U);
  EXPECT_EQ(keyring.active_id(), "2026a");
  EXPECT_TRUE(keyring.contains("old_key-1"));
}

TEST(QueueKeyringTest, RefusesAKeyFileReadableByGroupOrOthers) {
  pse::testing::TempDir dir;
  const auto file = write_key_file(dir, "a", random_key_base64(), 0640);
  const ConfigError error = refusal_of([&] { (void)QueueKeyring::load(dir / "keys", "a"); });
  EXPECT_EQ(error.file(), file);
  EXPECT_NE(error.reason().find("chmod 600"), std::string::npos) << error.reason();
  ::chmod(file.c_str(), 0604);
  EXPECT_THROW((void)QueueKeyring::load(dir / "keys", "a"), ConfigError);
}

TEST(QueueKeyringTest, RefusesAKeyOfTheWrongLength) {
  pse::testing::TempDir dir;
  const auto file = write_key_file(dir, "a", random_key_base64(16));
  const ConfigError error = refusal_of([&] { (void)QueueKeyring::load(dir / "keys", "a"); });
  EXPECT_EQ(error.file(), file);
  EXPECT_NE(error.reason().find("32 bytes"), std::string::npos) << error.reason();

  write_key_file(dir, "a", random_key_base64(33));
  EXPECT_THROW((void)QueueKeyring::load(dir / "keys", "a"), ConfigError);
}

TEST(QueueKeyringTest, RefusesContentThatIsNotStandardBase64) {
  pse::testing::TempDir dir;
  std::string text = random_key_base64();
  text[3] = '!';
  const auto file = write_key_file(dir, "a", text);
  EXPECT_EQ(refusal_of([&] { (void)QueueKeyring::load(dir / "keys", "a"); }).file(), file);
}

TEST(QueueKeyringTest, RefusesAMissingActiveKeyNamingItsFile) {
  pse::testing::TempDir dir;
  write_key_file(dir, "a", random_key_base64());
  const ConfigError error = refusal_of([&] { (void)QueueKeyring::load(dir / "keys", "b"); });
  EXPECT_EQ(error.file(), dir / "keys" / "queue-b.key");
  EXPECT_THROW((void)QueueKeyring::load(dir / "missing", "a"), ConfigError);
}

TEST(QueueKeyringTest, RefusesBadKeyIds) {
  pse::testing::TempDir dir;
  write_key_file(dir, "a", random_key_base64());
  EXPECT_THROW((void)QueueKeyring::load(dir / "keys", "bad id"), ConfigError);
  EXPECT_THROW((void)QueueKeyring::load(dir / "keys", std::string(33, 'x')), ConfigError);
  const auto file = write_key_file(dir, "b.c", random_key_base64());
  EXPECT_EQ(refusal_of([&] { (void)QueueKeyring::load(dir / "keys", "a"); }).file(), file);
  EXPECT_TRUE(is_valid_key_id(std::string(32, 'x')));
  EXPECT_FALSE(is_valid_key_id(""));
}

TEST(QueueKeyringTest, SealsWithTheActiveKeyAndOpensOnlyWithTheSameKeyAndAssociatedData) {
  pse::testing::TempDir dir;
  write_key_file(dir, "a", random_key_base64());
  write_key_file(dir, "b", random_key_base64());
  const QueueKeyring keyring = QueueKeyring::load(dir / "keys", "b");
  const SealedPayload sealed = keyring.seal("hello citizen", "row-1");
  EXPECT_EQ(sealed.key_id, "b");
  EXPECT_EQ(sealed.nonce.size(), queue_nonce_bytes);
  EXPECT_EQ(sealed.ciphertext.size(), 13 + queue_tag_bytes);
  EXPECT_EQ(sealed.ciphertext.find("hello"), std::string::npos);
  EXPECT_EQ(sealed.ciphertext.find("citizen"), std::string::npos);
  const SealedPayload again = keyring.seal("hello citizen", "row-1");
  EXPECT_NE(sealed.nonce, again.nonce) << "a fresh nonce per row";

  auto opened = keyring.open(sealed.key_id, sealed.nonce, sealed.ciphertext, "row-1");
  ASSERT_TRUE(opened.ok()) << opened.error().message;
  EXPECT_EQ(*opened, "hello citizen");

  auto other_row = keyring.open(sealed.key_id, sealed.nonce, sealed.ciphertext, "row-2");
  ASSERT_FALSE(other_row.ok());
  EXPECT_EQ(other_row.error().code, QueueErrorCode::decrypt_failed);
  EXPECT_EQ(other_row.error().message.find("citizen"), std::string::npos);

  auto other_key = keyring.open("a", sealed.nonce, sealed.ciphertext, "row-1");
  ASSERT_FALSE(other_key.ok());
  EXPECT_EQ(other_key.error().code, QueueErrorCode::decrypt_failed);

  auto unknown = keyring.open("zz", sealed.nonce, sealed.ciphertext, "row-1");
  ASSERT_FALSE(unknown.ok());
  EXPECT_EQ(unknown.error().code, QueueErrorCode::unknown_key);

  auto truncated = keyring.open("b", sealed.nonce.substr(1), sealed.ciphertext, "row-1");
  ASSERT_FALSE(truncated.ok());
  EXPECT_EQ(truncated.error().code, QueueErrorCode::decrypt_failed);
}

}  // namespace
}  // namespace pse::queue
