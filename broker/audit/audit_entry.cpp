#include "broker/audit/audit_entry.hpp"

#include "broker/audit/merkle.hpp"

#include <charconv>
#include <chrono>
#include <cstdio>

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

bool parse_int(std::string_view text, int& out) {
  const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), out);
  return error == std::errc() && end == text.data() + text.size();
}

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
  for (const std::string& field : record.permitted_fields) {
    if (field.empty() || field.find(',') != std::string::npos) {
      return make_error(AuditErrorCode::invalid_entry,
                        "permitted field names must be non-empty and contain no comma: '" + field + "'");
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
  if (!reader.hash(entry.subject_hash) || !reader.at_end()) return std::nullopt;
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
  using namespace std::chrono;
  const sys_time<microseconds> point{microseconds(time)};
  const auto day = floor<days>(point);
  const year_month_day date{day};
  const hh_mm_ss clock{point - day};
  char buffer[48];
  std::snprintf(buffer, sizeof buffer, "%04d-%02u-%02uT%02d:%02d:%02d.%06dZ", static_cast<int>(date.year()),
                static_cast<unsigned>(date.month()), static_cast<unsigned>(date.day()),
                static_cast<int>(clock.hours().count()), static_cast<int>(clock.minutes().count()),
                static_cast<int>(clock.seconds().count()),
                static_cast<int>(clock.subseconds().count()));
  return buffer;
}

std::optional<TimeMicros> parse_time(std::string_view text) {
  using namespace std::chrono;
  int y = 0, mo = 0, d = 0, h = 0, mi = 0, s = 0, micros = 0;
  if (text.size() < 10 || text[4] != '-' || text[7] != '-') return std::nullopt;
  if (!parse_int(text.substr(0, 4), y) || !parse_int(text.substr(5, 2), mo) ||
      !parse_int(text.substr(8, 2), d)) {
    return std::nullopt;
  }
  if (text.size() > 10) {
    if (text.size() < 20 || text[10] != 'T' || text[13] != ':' || text[16] != ':' || text.back() != 'Z') {
      return std::nullopt;
    }
    if (!parse_int(text.substr(11, 2), h) || !parse_int(text.substr(14, 2), mi) ||
        !parse_int(text.substr(17, 2), s) || h > 23 || mi > 59 || s > 59) {
      return std::nullopt;
    }
    std::string_view fraction = text.substr(19, text.size() - 20);
    if (!fraction.empty()) {
      if (fraction.front() != '.' || fraction.size() < 2 || fraction.size() > 7) return std::nullopt;
      fraction.remove_prefix(1);
      if (!parse_int(fraction, micros) || micros < 0) return std::nullopt;
      for (std::size_t i = fraction.size(); i < 6; ++i) micros *= 10;
    }
  }
  const year_month_day date{year(y), month(static_cast<unsigned>(mo)), day(static_cast<unsigned>(d))};
  if (!date.ok()) return std::nullopt;
  const auto point = sys_days(date) + hours(h) + minutes(mi) + seconds(s) + microseconds(micros);
  return duration_cast<microseconds>(point.time_since_epoch()).count();
}

}  // namespace pse::audit
