#include "audit/audit_entry.hpp"

#include "base/utc_time.hpp"
#include "audit/merkle.hpp"

#include <chrono>

namespace pse::audit {
namespace {

constexpr std::uint8_t encoding_version = 1;

class Writer {
 public:
  explicit Writer(std::string& out) : out_(out) {}
  void u8(std::uint8_t value) { out_.push_back(static_cast<char>(value)); }
  void u32(std::uint32_t value) {
    for (int shift = 24; shift >= 0; shift -= 8) u8(static_cast<std::uint8_t>(value >> shift));
  }
  void u64(std::uint64_t value) {
    for (int shift = 56; shift >= 0; shift -= 8) u8(static_cast<std::uint8_t>(value >> shift));
  }
  void bytes(std::span<const std::uint8_t> value) {
    out_.append(reinterpret_cast<const char*>(value.data()), value.size());
  }
  void text(std::string_view value) {
    u32(static_cast<std::uint32_t>(value.size()));
    out_.append(value);
  }

 private:
  std::string& out_;
};

class Reader {
 public:
  explicit Reader(std::string_view in) : in_(in) {}
  bool u8(std::uint8_t& value) {
    if (in_.empty()) return false;
    value = static_cast<std::uint8_t>(in_.front());
    in_.remove_prefix(1);
    return true;
  }
  bool u32(std::uint32_t& value) {
    value = 0;
    for (int i = 0; i < 4; ++i) {
      std::uint8_t byte = 0;
      if (!u8(byte)) return false;
      value = (value << 8) | byte;
    }
    return true;
  }
  bool u64(std::uint64_t& value) {
    value = 0;
    for (int i = 0; i < 8; ++i) {
      std::uint8_t byte = 0;
      if (!u8(byte)) return false;
      value = (value << 8) | byte;
    }
    return true;
  }
  bool hash(Hash& value) {
    if (in_.size() < value.size()) return false;
    for (auto& byte : value) u8(byte);
    return true;
  }
  bool text(std::string& value) {
    std::uint32_t size = 0;
    if (!u32(size) || in_.size() < size) return false;
    value.assign(in_.substr(0, size));
    in_.remove_prefix(size);
    return true;
  }
  bool at_end() const { return in_.empty(); }

 private:
  std::string_view in_;
};

}  // namespace

std::string_view to_string(Decision decision) noexcept {
  return decision == Decision::allow ? "allow" : "deny";
}

std::optional<Decision> decision_from_string(std::string_view text) noexcept {
  if (text == "allow") return Decision::allow;
  if (text == "deny") return Decision::deny;
  return std::nullopt;
}

std::string_view to_string(BasisType basis) noexcept {
  switch (basis) {
    case BasisType::none: return "none";
    case BasisType::consent: return "consent";
    case BasisType::law: return "law";
  }
  return "none";
}

std::optional<BasisType> basis_type_from_string(std::string_view text) noexcept {
  if (text == "none") return BasisType::none;
  if (text == "consent") return BasisType::consent;
  if (text == "law") return BasisType::law;
  return std::nullopt;
}

TimeMicros now_micros() {
  return std::chrono::duration_cast<std::chrono::microseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

Status validate(const AuditRecord& record) {
  for (const auto* list : {&record.permitted_fields, &record.obligations}) {
    for (const std::string& name : *list) {
      if (name.empty() || name.find(',') != std::string::npos) {
        return make_error(AuditErrorCode::invalid_entry,
                          std::string(list == &record.obligations ? "obligation" : "permitted field") +
                              " names must be non-empty and contain no comma: '" + name + "'");
      }
    }
  }
  return Ok{};
}

std::string encode_entry(const AuditEntry& entry) {
  std::string out;
  out.reserve(256);
  Writer writer(out);
  writer.u8(encoding_version);
  writer.u64(entry.seq);
  writer.u64(static_cast<std::uint64_t>(entry.time));
  writer.text(entry.request_id);
  writer.text(entry.consumer);
  writer.text(entry.provider);
  writer.text(entry.category);
  writer.text(entry.purpose);
  writer.u8(static_cast<std::uint8_t>(entry.decision));
  writer.text(entry.reason);
  writer.text(entry.rule_id);
  writer.u8(static_cast<std::uint8_t>(entry.basis_type));
  writer.text(entry.basis);
  writer.u32(static_cast<std::uint32_t>(entry.permitted_fields.size()));
  for (const std::string& field : entry.permitted_fields) writer.text(field);
  writer.u8(entry.payload_hash ? 1 : 0);
  if (entry.payload_hash) writer.bytes(*entry.payload_hash);
  writer.bytes(entry.subject_hash);
  // Appended only when present: the entries of before keep their exact bytes.
  if (!entry.obligations.empty()) {
    writer.u32(static_cast<std::uint32_t>(entry.obligations.size()));
    for (const std::string& obligation : entry.obligations) writer.text(obligation);
  }
  return out;
}

std::optional<AuditEntry> decode_entry(std::string_view bytes) {
  Reader reader(bytes);
  AuditEntry entry;
  std::uint8_t version = 0;
  std::uint64_t time = 0;
  std::uint8_t decision = 0;
  std::uint8_t basis = 0;
  std::uint32_t field_count = 0;
  std::uint8_t has_payload = 0;
  if (!reader.u8(version) || version != encoding_version) return std::nullopt;
  if (!reader.u64(entry.seq) || !reader.u64(time)) return std::nullopt;
  entry.time = static_cast<TimeMicros>(time);
  if (!reader.text(entry.request_id) || !reader.text(entry.consumer) ||
      !reader.text(entry.provider) || !reader.text(entry.category) ||
      !reader.text(entry.purpose) || !reader.u8(decision)) {
    return std::nullopt;
  }
  if (decision != 1 && decision != 2) return std::nullopt;
  entry.decision = static_cast<Decision>(decision);
  if (!reader.text(entry.reason) || !reader.text(entry.rule_id) || !reader.u8(basis) || basis > 2) {
    return std::nullopt;
  }
  entry.basis_type = static_cast<BasisType>(basis);
  if (!reader.text(entry.basis) || !reader.u32(field_count)) return std::nullopt;
  for (std::uint32_t i = 0; i < field_count; ++i) {
    if (!reader.text(entry.permitted_fields.emplace_back())) return std::nullopt;
  }
  if (!reader.u8(has_payload) || has_payload > 1) return std::nullopt;
  if (has_payload == 1 && !reader.hash(entry.payload_hash.emplace())) return std::nullopt;
  if (!reader.hash(entry.subject_hash)) return std::nullopt;
  if (reader.at_end()) return entry;
  // An empty list is never written, so a count of 0 is not canonical.
  std::uint32_t obligation_count = 0;
  if (!reader.u32(obligation_count) || obligation_count == 0) return std::nullopt;
  for (std::uint32_t i = 0; i < obligation_count; ++i) {
    if (!reader.text(entry.obligations.emplace_back())) return std::nullopt;
  }
  if (!reader.at_end()) return std::nullopt;
  return entry;
}

Hash entry_leaf_hash(const AuditEntry& entry) {
  const std::string bytes = encode_entry(entry);
  return leaf_hash(as_bytes(bytes));
}

std::string join_fields(const std::vector<std::string>& fields) {
  std::string out;
  for (const std::string& field : fields) {
    if (!out.empty()) out.push_back(',');
    out += field;
  }
  return out;
}

std::vector<std::string> split_fields(std::string_view text) {
  std::vector<std::string> fields;
  while (!text.empty()) {
    const auto comma = text.find(',');
    fields.emplace_back(text.substr(0, comma));
    if (comma == std::string_view::npos) break;
    text.remove_prefix(comma + 1);
  }
  return fields;
}

std::string format_time(TimeMicros time) {
  return format_utc(UtcMicros{std::chrono::microseconds(time)}, SubSecond::micros);
}

std::optional<TimeMicros> parse_time(std::string_view text) {
  const auto parsed = parse_utc(text);
  if (!parsed) return std::nullopt;
  return parsed->time.time_since_epoch().count();
}

}  // namespace pse::audit
