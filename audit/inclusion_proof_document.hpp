// One entry's inclusion proof as a self-contained JSON document: what `pse-audit prove --seq`
// writes and `pse-audit check-proof` reads, and what the broker gives a citizen for an entry of
// their register (GET /v1/subjects/{subject}/accesses/{audit_seq}/proof). One encoder, so that
// both are the same format and each checks the other's:
//
//   {"format":"pse-audit-inclusion-proof/1",
//    "seq":N,            the entry's position in the log, which is its leaf index
//    "entry":"hex",      its canonical bytes (audit_entry.hpp); leaf hash = SHA-256(0x00 ‖ bytes)
//    "tree_size":N,      the size of the signed tree
//    "path":["hex",…],   PATH(seq, D[tree_size]) of RFC 9162 §2.1.3.1, from the leaf up
//    "tree_head":{…},    the signed head (tree_head.hpp): tree_size, time, time_us, root,
//                        previous, signature (Ed25519 over tree_head_message)
//    "key_id":"hex"}     the signing key's id (audit_keys.hpp), when the writer names it
//
// Anyone holding the log's public key checks it without our code: the signature over the
// head's message, then RFC 9162 §2.1.3.2 from the leaf hash along the path to the head's root.
// Byte strings are hex, as in every file pse-audit writes (heads, keys).
#pragma once

#include "audit/audit_entry.hpp"
#include "audit/audit_keys.hpp"
#include "audit/audit_store.hpp"
#include "audit/result.hpp"
#include "audit/tree_head.hpp"

#include <string>
#include <string_view>

namespace pse::audit {

inline constexpr std::string_view kInclusionProofFormat = "pse-audit-inclusion-proof/1";

/// The document proving `entry` (as read from `store`) is in the tree `head` signs, its path
/// built from the store's nodes and leaf hashes. invalid_argument when the head does not cover
/// the entry; corrupt when the path does not lead to the head's root (never handed out: it
/// would only mean the log was altered). `signer`, when given, is named by its key id.
Result<std::string> inclusion_proof_document(AuditStore& store, const AuditEntry& entry, const SignedTreeHead& head,
                                             const PublicKey* signer = nullptr);

}  // namespace pse::audit
