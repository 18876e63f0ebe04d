// pse-audit prove / check-proof: a proof that anyone holding the public key can check, without
// the database — that one entry is in the log (inclusion), or that the log only grew between
// two signed tree heads (consistency). RFC 9162 §2.1.3 and §2.1.4.
#include "audit/audit_log.hpp"
#include "audit/inclusion_proof_document.hpp"
#include "audit/merkle.hpp"
#include "clients/pse-audit/cli_support.hpp"
#include "clients/pse-audit/commands.hpp"
#include "clients/pse-audit/entry_output.hpp"

#include <charconv>
#include <iostream>

namespace pse::audit_cli {

using namespace pse::audit;

namespace {

constexpr std::string_view inclusion_format = kInclusionProofFormat;
constexpr std::string_view consistency_format = "pse-audit-consistency-proof/1";

constexpr const char* prove_help = R"(usage: pse-audit prove --db FILE --seq N [--out FILE]
       pse-audit prove --db FILE --consistency-from SIZE [--out FILE]

--seq N: an inclusion proof that entry N is in the log, against the latest signed tree head.
It holds the entry itself (its canonical bytes), the Merkle audit path and the signed head,
as JSON that `pse-audit check-proof` (or any RFC 9162 verifier) checks with the public key.

--consistency-from SIZE: a consistency proof that the log of SIZE entries, as signed by the
stored tree head of that size, is a prefix of the log signed by the latest head.
)";

constexpr const char* check_help = R"(usage: pse-audit check-proof --proof FILE (--key-dir DIR | --public-key FILE)

Checks a proof written by `pse-audit prove` (FILE "-" reads standard input): the tree head
signatures with the public key (DIR/audit-signing.pub), then the Merkle path.
Exit 0 when valid, 1 when not, 2 on usage error.
)";

std::uint64_t number_option(const Arguments& args, const char* name) {
  const std::string text = args.required(name);
  std::uint64_t value = 0;
  const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (error != std::errc() || end != text.data() + text.size()) {
    throw UsageError(std::string("--") + name + " takes a number, got '" + text + "'");
  }
  return value;
}

boost::json::array path_to_json(const std::vector<Hash>& path) {
  boost::json::array out;
  for (const Hash& hash : path) out.emplace_back(to_hex(hash));
  return out;
}

int refuse(const std::string& message) {
  std::cerr << "pse-audit prove: " << message << "\n";
  return 1;
}

int prove_consistency(const Arguments& args, AuditStore& store, const SignedTreeHead& latest) {
  const std::uint64_t old_size = number_option(args, "consistency-from");
  auto old_head = store.tree_head_at(old_size);
  if (!old_head) throw std::runtime_error(old_head.error().message);
  if (!*old_head) throw UsageError("no stored tree head has size " + std::to_string(old_size));
  auto proof = build_consistency_proof(store, old_size, latest.tree_size);
  if (!proof) return refuse(proof.error().message);
  if (!verify_consistency(old_size, latest.tree_size, (*old_head)->root, latest.root, proof->path)) {
    return refuse("the stored entries do not match the signed tree heads; run pse-audit verify");
  }
  boost::json::object json;
  json["format"] = consistency_format;
  json["old_head"] = head_to_json(**old_head);
  json["new_head"] = head_to_json(latest);
  json["path"] = path_to_json(proof->path);
  write_output(args, boost::json::serialize(json) + "\n");
  return 0;
}

int prove_inclusion(const Arguments& args, AuditStore& store, const SignedTreeHead& latest) {
  const std::uint64_t seq = number_option(args, "seq");
  if (seq >= latest.tree_size) {
    throw UsageError("entry " + std::to_string(seq) + " is not covered by the latest signed tree head (size " +
                     std::to_string(latest.tree_size) + ")");
  }
  std::optional<AuditEntry> entry;
  auto read = store.read_entries(seq, seq + 1, [&](const StoredEntry& stored) {
    entry = stored.entry;
    return false;
  });
  if (!read) throw std::runtime_error(read.error().message);
  if (!entry || entry->seq != seq) return refuse("entry " + std::to_string(seq) + " is missing; run pse-audit verify");
  // The audit library's encoder, the broker's too: it refuses a proof that does not check.
  auto document = inclusion_proof_document(store, *entry, latest);
  if (!document) return refuse(document.error().message);
  write_output(args, *document + "\n");
  return 0;
}

int invalid(const std::string& reason) {
  std::cout << "INVALID: " << reason << "\n";
  return 1;
}

std::optional<std::vector<Hash>> path_from_json(const boost::json::object& json) {
  const auto* path = json.if_contains("path");
  if (path == nullptr || !path->is_array()) return std::nullopt;
  std::vector<Hash> out;
  for (const auto& item : path->get_array()) {
    if (!item.is_string()) return std::nullopt;
    const auto hash = hash_from_hex(item.get_string());
    if (!hash) return std::nullopt;
    out.push_back(*hash);
  }
  return out;
}

int check_inclusion(const boost::json::object& json, const PublicKey& key, const std::filesystem::path& file) {
  const auto* head_json = json.if_contains("tree_head");
  const auto* entry_hex = json.if_contains("entry");
  const auto path = path_from_json(json);
  if (head_json == nullptr || entry_hex == nullptr || !entry_hex->is_string() || !path) {
    return invalid("the proof lacks tree_head, entry or path");
  }
  const SignedTreeHead head = head_from_json(*head_json, file);
  if (!verify_tree_head(head, key)) return invalid("the tree head is not signed by this key");
  const auto bytes = bytes_from_hex(entry_hex->get_string(), entry_hex->get_string().size() / 2);
  const auto entry = bytes ? decode_entry(*bytes) : std::nullopt;
  if (!entry) return invalid("the entry is not a canonical audit entry");
  if (!verify_inclusion(entry->seq, head.tree_size, leaf_hash(as_bytes(*bytes)), *path, head.root)) {
    return invalid("the Merkle path does not lead from entry " + std::to_string(entry->seq) +
                   " to the signed root");
  }
  std::cout << "valid: entry " << entry->seq << " is in the log of " << head.tree_size
            << " entries signed at " << format_time(head.time) << "\n"
            << boost::json::serialize(entry_to_json(*entry)) << "\n";
  return 0;
}

int check_consistency(const boost::json::object& json, const PublicKey& key, const std::filesystem::path& file) {
  const auto* old_json = json.if_contains("old_head");
  const auto* new_json = json.if_contains("new_head");
  const auto path = path_from_json(json);
  if (old_json == nullptr || new_json == nullptr || !path) return invalid("the proof lacks old_head, new_head or path");
  const SignedTreeHead old_head = head_from_json(*old_json, file);
  const SignedTreeHead new_head = head_from_json(*new_json, file);
  if (!verify_tree_head(old_head, key) || !verify_tree_head(new_head, key)) {
    return invalid("a tree head is not signed by this key");
  }
  if (!verify_consistency(old_head.tree_size, new_head.tree_size, old_head.root, new_head.root, *path)) {
    return invalid("the log of " + std::to_string(new_head.tree_size) + " entries does not extend the log of " +
                   std::to_string(old_head.tree_size));
  }
  std::cout << "valid: the log of " << new_head.tree_size << " entries extends the log of " << old_head.tree_size
            << " entries\n";
  return 0;
}

}  // namespace

int run_prove(const CommandArguments& raw) {
  const Arguments args(raw, {"db", "password-file", "seq", "consistency-from", "out"}, {});
  if (args.help()) {
    std::cout << prove_help;
    return 0;
  }
  if (args.has("seq") == args.has("consistency-from")) throw UsageError("give one of --seq and --consistency-from");
  auto store = open_store(args);
  auto latest = store->latest_tree_head();
  if (!latest) throw std::runtime_error(latest.error().message);
  if (!*latest) return refuse("the log has no signed tree head yet");
  if (args.has("consistency-from")) return prove_consistency(args, *store, **latest);
  return prove_inclusion(args, *store, **latest);
}

int run_check_proof(const CommandArguments& raw) {
  const Arguments args(raw, {"proof", "key-dir", "public-key"}, {});
  if (args.help()) {
    std::cout << check_help;
    return 0;
  }
  const PublicKey key = public_key_from(args);
  const std::filesystem::path file = args.required("proof");
  boost::system::error_code error;
  const boost::json::value json = boost::json::parse(read_text(file), error);
  if (error || !json.is_object()) return invalid("not a JSON proof");
  const auto* format = json.as_object().if_contains("format");
  if (format != nullptr && format->is_string() && format->get_string() == inclusion_format) {
    return check_inclusion(json.as_object(), key, file);
  }
  if (format != nullptr && format->is_string() && format->get_string() == consistency_format) {
    return check_consistency(json.as_object(), key, file);
  }
  return invalid("unknown proof format");
}

}  // namespace pse::audit_cli
