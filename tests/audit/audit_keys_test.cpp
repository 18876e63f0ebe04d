// Key files: written once with private modes, loaded strictly; signatures and subject hashes.
#include "audit/audit_keys.hpp"
#include "audit/tree_head.hpp"

#include "base/config_error.hpp"
#include "support/temp_dir.hpp"

#include <gtest/gtest.h>
#include <sys/stat.h>

namespace pse::audit {
namespace {

unsigned mode_of(const std::filesystem::path& file) {
  struct stat info {};
  ::stat(file.c_str(), &info);
  return info.st_mode & 0777;
}

TEST(AuditKeysTest, KeygenWritesPrivateFilesAndRefusesToOverwrite) {
  pse::testing::TempDir dir;
  write_new_key_files(dir / "keys");
  EXPECT_EQ(mode_of(dir / "keys" / signing_key_file), 0600U);
  EXPECT_EQ(mode_of(dir / "keys" / subject_key_file), 0600U);
  EXPECT_EQ(mode_of(dir / "keys" / public_key_file), 0644U);

  const SigningKey key = load_signing_key(dir / "keys" / signing_key_file);
  EXPECT_EQ(load_public_key(dir / "keys" / public_key_file), key.public_key());
  const auto before = load_subject_hash_key(dir / "keys" / subject_key_file).hash("s");

  EXPECT_THROW(write_new_key_files(dir / "keys"), ConfigError);
  EXPECT_EQ(load_subject_hash_key(dir / "keys" / subject_key_file).hash("s"), before);
}

TEST(AuditKeysTest, SecretKeysReadableByOthersAreRefused) {
  pse::testing::TempDir dir;
  write_new_key_files(dir.path());
  ::chmod((dir / signing_key_file).c_str(), 0644);
  try {
    (void)load_signing_key(dir / signing_key_file);
    FAIL() << "expected ConfigError";
  } catch (const ConfigError& e) {
    EXPECT_NE(std::string(e.what()).find("chmod 600"), std::string::npos) << e.what();
  }
  ::chmod((dir / subject_key_file).c_str(), 0640);
  EXPECT_THROW((void)load_subject_hash_key(dir / subject_key_file), ConfigError);
}

TEST(AuditKeysTest, MalformedKeyFilesAreRefused) {
  pse::testing::TempDir dir;
  const auto short_key = dir.write("short.key", "abcd\n");
  ::chmod(short_key.c_str(), 0600);
  EXPECT_THROW((void)load_signing_key(short_key), ConfigError);
  EXPECT_THROW((void)load_public_key(dir.write("bad.pub", std::string(64, 'z'))), ConfigError);
  EXPECT_THROW((void)load_public_key(dir / "missing.pub"), ConfigError);

  // A secret key whose public half does not match its seed.
  const SigningKey key = SigningKey::generate();
  std::string hex = to_hex(key.secret_bytes());
  hex.back() = hex.back() == '0' ? '1' : '0';
  const auto damaged = dir.write("damaged.key", hex);
  ::chmod(damaged.c_str(), 0600);
  EXPECT_THROW((void)load_signing_key(damaged), ConfigError);
}

TEST(AuditKeysTest, SubjectHashIsKeyed) {
  const SubjectHashKey first = SubjectHashKey::generate();
  const SubjectHashKey second = SubjectHashKey::generate();
  EXPECT_EQ(first.hash("citizen-1"), first.hash("citizen-1"));
  EXPECT_NE(first.hash("citizen-1"), first.hash("citizen-2"));
  EXPECT_NE(first.hash("citizen-1"), second.hash("citizen-1"));
  EXPECT_NE(first.hash("citizen-1"), sha256("citizen-1"));
}

TEST(AuditKeysTest, TreeHeadSignaturesCoverEveryField) {
  const SigningKey key = SigningKey::generate();
  SignedTreeHead head;
  head.tree_size = 10;
  head.time = 1'000;
  head.root = sha256("root");
  head.previous = sha256("previous");
  sign_tree_head(head, key);
  EXPECT_TRUE(verify_tree_head(head, key.public_key()));
  EXPECT_FALSE(verify_tree_head(head, SigningKey::generate().public_key()));
  for (int field = 0; field < 4; ++field) {
    SignedTreeHead altered = head;
    if (field == 0) altered.tree_size += 1;
    if (field == 1) altered.time += 1;
    if (field == 2) altered.root[0] ^= 1;
    if (field == 3) altered.previous[0] ^= 1;
    EXPECT_FALSE(verify_tree_head(altered, key.public_key())) << "field " << field;
  }
}

}  // namespace
}  // namespace pse::audit
