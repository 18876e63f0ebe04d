#include "audit/inclusion_proof_document.hpp"

#include "audit/audit_log.hpp"
#include "audit/merkle.hpp"
#include "base/hex.hpp"

namespace pse::audit {

Result<std::string> inclusion_proof_document(AuditStore& store, const AuditEntry& entry, const SignedTreeHead& head,
                                             const PublicKey* signer) {
  const std::string seq = std::to_string(entry.seq);
  if (entry.seq >= head.tree_size) {
    return make_error(AuditErrorCode::invalid_argument, "entry " + seq + " is not covered by the signed tree head (size " +
                                                            std::to_string(head.tree_size) + ")");
  }
  auto proof = build_inclusion_proof(store, entry.seq, head.tree_size);
  if (!proof) return proof.error();
  const std::string bytes = encode_entry(entry);
  if (!verify_inclusion(entry.seq, head.tree_size, leaf_hash(as_bytes(bytes)), proof->path, head.root)) {
    return make_error(AuditErrorCode::corrupt, "entry " + seq + " does not match the signed tree head; run pse-audit verify");
  }
  // Written by hand, as tree_head_to_json: every value is a number or hex, nothing to escape.
  std::string out = "{\"format\":\"" + std::string(kInclusionProofFormat) + "\",\"seq\":" + seq;
  out += ",\"entry\":\"" + to_hex(as_bytes(bytes)) + "\"";
  out += ",\"tree_size\":" + std::to_string(head.tree_size) + ",\"path\":[";
  for (std::size_t i = 0; i < proof->path.size(); ++i) {
    out += (i == 0 ? "\"" : ",\"") + to_hex(proof->path[i]) + "\"";
  }
  out += "],\"tree_head\":" + tree_head_to_json(head);
  if (signer != nullptr) out += ",\"key_id\":\"" + key_id(*signer) + "\"";
  out += "}";
  return out;
}

}  // namespace pse::audit
