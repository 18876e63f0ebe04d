// GET /v1/subjects/{subject}/accesses/{audit_seq}/proof over the wire: a citizen downloads the
// proof that an entry of their register is in the audit log, and checks it with nothing of
// ours — RFC 9162 §2.1.3.2 and the tree head's Ed25519 signature, written out below — and with
// pse-audit check-proof. Another citizen's entry is not found, as one that does not exist.
#include "citizen_api_fixture.hpp"

#include "audit/audit_entry.hpp"
#include "audit/registry_read.hpp"
#include "base/hex.hpp"
#include "base/sha256.hpp"

#include <gmock/gmock.h>
#include <sodium.h>

#include <cstdlib>
#include <fstream>

namespace pse::testing {
namespace {

using ::testing::HasSubstr;
namespace json = boost::json;

std::string unhex(std::string_view hex) {
  auto bytes = bytes_from_hex(hex, hex.size() / 2);
  EXPECT_TRUE(bytes.has_value()) << hex;
  return bytes.value_or("");
}

std::string sha256_of(std::string_view bytes) {
  const pse::Hash digest = pse::Sha256().update(bytes).finish();
  return std::string(reinterpret_cast<const char*>(digest.data()), digest.size());
}

// RFC 9162 §2.1.3.2, as written there: the root the inclusion path leads to from the leaf, or
// "" when the path does not fit the index and size.
std::string root_from_path(std::uint64_t leaf_index, std::uint64_t tree_size, const std::string& leaf_bytes,
                           const json::array& path) {
  if (leaf_index >= tree_size) return "";
  std::uint64_t fn = leaf_index;
  std::uint64_t sn = tree_size - 1;
  std::string r = sha256_of(std::string(1, '\0') + leaf_bytes);
  for (const json::value& item : path) {
    const std::string p = unhex(item.as_string());
    if (sn == 0) return "";
    if ((fn & 1) == 1 || fn == sn) {
      r = sha256_of("\x01" + p + r);
      while ((fn & 1) == 0 && fn != 0) {
        fn >>= 1;
        sn >>= 1;
      }
    } else {
      r = sha256_of("\x01" + r + p);
    }
    fn >>= 1;
    sn >>= 1;
  }
  return sn == 0 ? r : "";
}

std::string big_endian(std::uint64_t value) {
  std::string out;
  for (int shift = 56; shift >= 0; shift -= 8) out.push_back(static_cast<char>(value >> shift));
  return out;
}

// The signed head's message as docs/decisions/audit.md defines it, checked with libsodium.
bool head_signature_holds(const json::object& head, const audit::PublicKey& key) {
  const std::string message = "PSE-AUDIT-TREE-HEAD-V1\n" + big_endian(head.at("tree_size").to_number<std::uint64_t>()) +
                              big_endian(static_cast<std::uint64_t>(head.at("time_us").to_number<std::int64_t>())) +
                              unhex(head.at("root").as_string()) + unhex(head.at("previous").as_string());
  const std::string signature = unhex(head.at("signature").as_string());
  return signature.size() == crypto_sign_BYTES &&
         crypto_sign_verify_detached(reinterpret_cast<const unsigned char*>(signature.data()),
                                     reinterpret_cast<const unsigned char*>(message.data()), message.size(),
                                     key.bytes.data()) == 0;
}

class AccessProof : public CitizenApi {
 protected:
  std::string proof_target(const std::string& subject, const std::string& seq) const {
    return "/v1/subjects/" + subject + "/accesses/" + seq + "/proof";
  }

  // Entries about two citizens, interleaved, so that paths have several levels.
  void write_register() {
    for (int i = 0; i < 6; ++i) {
      ASSERT_EQ(get(services_quebec_, "/v1/subjects/QC-1957-0042/consents").status, 200);
      ASSERT_EQ(get(services_quebec_, "/v1/subjects/QC-OTHER/consents").status, 200);
    }
    // A refusal is in the register too: no consent for this exchange.
    const HttpResult refused = post(services_quebec_, "/v1/exchange",
                                    R"({"subject": "QC-1957-0042", "provider": "etat-civil", "category": "identity.birth",
                                        "purpose": "identity_verification"})");
    ASSERT_EQ(refused.status, 403) << refused.body;
  }
};

INSTANTIATE_TEST_SUITE_P(Stores, AccessProof, kEachBackend, backend_name);

TEST_P(AccessProof, ADownloadedProofChecksWithAnIndependentVerifier) {
  start_broker();
  write_register();  // seqs 0-11 alternate QC-1957-0042 and QC-OTHER; 12 is the refusal
  const audit::PublicKey key = public_key();

  for (const std::uint64_t seq : {4u, 12u}) {
    const HttpResult downloaded = get(services_quebec_, proof_target("QC-1957-0042", std::to_string(seq)));
    ASSERT_EQ(downloaded.status, 200) << downloaded.body;
    const json::object proof = parse(downloaded);
    EXPECT_EQ(proof.at("format"), "pse-audit-inclusion-proof/1");
    EXPECT_EQ(proof.at("seq").to_number<std::uint64_t>(), seq);
    EXPECT_EQ(text(proof.at("key_id")), audit::key_id(key));
    const json::object& head = proof.at("tree_head").as_object();
    const auto tree_size = proof.at("tree_size").to_number<std::uint64_t>();
    EXPECT_EQ(head.at("tree_size").to_number<std::uint64_t>(), tree_size);
    EXPECT_GE(tree_size, 13u);
    EXPECT_GE(proof.at("path").as_array().size(), 3u);

    // The leaf is the entry's exact bytes; the path leads from it to the signed root.
    const std::string entry_bytes = unhex(proof.at("entry").as_string());
    const std::string root = root_from_path(seq, tree_size, entry_bytes, proof.at("path").as_array());
    EXPECT_EQ(to_hex(root), text(head.at("root"))) << "seq " << seq;
    EXPECT_TRUE(head_signature_holds(head, key)) << "seq " << seq;

    // And the entry is about this citizen: its keyed hash, at its place in the log.
    const auto entry = audit::decode_entry(entry_bytes);
    ASSERT_TRUE(entry.has_value());
    EXPECT_EQ(entry->seq, seq);
    EXPECT_EQ(entry->subject_hash, subject_hash("QC-1957-0042"));
    EXPECT_EQ(entry->decision, seq == 12 ? audit::Decision::deny : audit::Decision::allow);

    // A byte changed anywhere in the entry leads elsewhere.
    std::string altered = entry_bytes;
    altered[20] = static_cast<char>(altered[20] ^ 1);
    EXPECT_NE(root_from_path(seq, tree_size, altered, proof.at("path").as_array()), root);

    // The same document is what pse-audit check-proof reads.
    const auto file = dir_->path() / "downloaded-proof.json";
    std::ofstream(file, std::ios::trunc) << downloaded.body;
    const std::string command = std::string(PSE_AUDIT_BINARY) + " check-proof --proof " + file.string() +
                                " --key-dir " + (dir_->path() / "keys").string() + " > " +
                                (dir_->path() / "check-proof.out").string() + " 2>&1";
    EXPECT_EQ(std::system(command.c_str()), 0);
    std::filesystem::remove(file);
  }
}

TEST_P(AccessProof, AnotherCitizensEntryIsNotFoundLikeOneThatDoesNotExist) {
  start_broker();
  write_register();
  const std::size_t entries = audit_entries().size();

  const HttpResult others = get(services_quebec_, proof_target("QC-1957-0042", "5"));  // QC-OTHER's read
  EXPECT_EQ(others.status, 404);
  EXPECT_THAT(others.body, HasSubstr(R"("code":"not_found")"));
  const HttpResult beyond = get(services_quebec_, proof_target("QC-1957-0042", "999999"));
  EXPECT_EQ(beyond.status, 404);
  EXPECT_EQ(beyond.body, others.body) << "the same answer, word for word";
  EXPECT_EQ(get(services_quebec_, proof_target("QC-1957-0042", "18446744073709551615")).body, others.body);
  // QC-OTHER has it.
  EXPECT_EQ(get(services_quebec_, proof_target("QC-OTHER", "5")).status, 200);

  for (const char* bad : {"abc", "-1", "1e3", "18446744073709551616", "000000000000000000001"}) {
    const HttpResult refused = get(services_quebec_, proof_target("QC-1957-0042", bad));
    EXPECT_EQ(refused.status, 400) << bad;
    EXPECT_THAT(refused.body, HasSubstr("malformed_request")) << bad;
  }
  EXPECT_EQ(get(services_quebec_, proof_target("QC-1957-0042", "4") + "?format=base64").status, 400);
  const HttpResult not_authority = get(ramq_, proof_target("QC-1957-0042", "4"));
  EXPECT_EQ(not_authority.status, 403);
  EXPECT_THAT(not_authority.body, HasSubstr("not_consent_authority"));
  EXPECT_EQ(post(services_quebec_, proof_target("QC-1957-0042", "4"), "{}").status, 405);

  // Refusals disclose nothing and are not audited; the one proof given is.
  EXPECT_EQ(audit_entries().size(), entries + 1);
  const audit::AuditEntry last = audit_entries().back();
  EXPECT_EQ(last.category, audit::kRegistryCategory);
  EXPECT_EQ(last.purpose, "read_proof");
  EXPECT_EQ(last.subject_hash, subject_hash("QC-OTHER"));
  EXPECT_EQ(last.permitted_fields, std::vector<std::string>{"5"});
  EXPECT_EQ(audit::registry_read_of(last), audit::RegistryRead::proof);
  const json::array register_of_other =
      parse(get(services_quebec_, "/v1/subjects/QC-OTHER/accesses")).at("accesses").as_array();
  EXPECT_EQ(register_of_other.back().at("purpose"), "read_proof");
  EXPECT_EQ(register_of_other.back().at("kind"), "registry_read");
}

}  // namespace
}  // namespace pse::testing
