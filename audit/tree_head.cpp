#include "audit/tree_head.hpp"

namespace pse::audit {
namespace {

constexpr std::string_view message_context = "PSE-AUDIT-TREE-HEAD-V1\n";

void append_u64(std::string& out, std::uint64_t value) {
  for (int shift = 56; shift >= 0; shift -= 8) out.push_back(static_cast<char>(value >> shift));
}

void append_bytes(std::string& out, std::span<const std::uint8_t> bytes) {
  out.append(reinterpret_cast<const char*>(bytes.data()), bytes.size());
}

}  // namespace

std::string tree_head_message(const SignedTreeHead& head) {
  std::string message(message_context);
  append_u64(message, head.tree_size);
  append_u64(message, static_cast<std::uint64_t>(head.time));
  append_bytes(message, head.root);
  append_bytes(message, head.previous);
  return message;
}

Hash tree_head_digest(const SignedTreeHead& head) {
  return Sha256().update(tree_head_message(head)).update(head.signature).finish();
}

void sign_tree_head(SignedTreeHead& head, const SigningKey& key) {
  head.signature = key.sign(as_bytes(tree_head_message(head)));
}

bool verify_tree_head(const SignedTreeHead& head, const PublicKey& key) {
  return verify_signature(key, as_bytes(tree_head_message(head)), head.signature);
}

std::string tree_head_to_json(const SignedTreeHead& head) {
  std::string out = "{\"tree_size\":" + std::to_string(head.tree_size);
  out += ",\"time\":\"" + format_time(head.time) + "\"";
  out += ",\"time_us\":" + std::to_string(head.time);
  out += ",\"root\":\"" + to_hex(head.root) + "\"";
  out += ",\"previous\":\"" + to_hex(head.previous) + "\"";
  out += ",\"signature\":\"" + to_hex(head.signature) + "\"}";
  return out;
}

}  // namespace pse::audit
