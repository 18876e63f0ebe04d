#include "access_notice.hpp"

#include "quebec_time.hpp"
#include "utf8.hpp"

#include "base/hex.hpp"
#include "base/sha256.hpp"
#include "base/utc_time.hpp"

#include <algorithm>

namespace pse::notify {
namespace {

constexpr std::size_t kMaxCodeBytes = 64;
constexpr std::size_t kMaxFields = 64;

// Organisation ids, categories, purposes and field names: [a-z0-9._-], at most 64.
bool is_code(const std::string& text) {
  return !text.empty() && text.size() <= kMaxCodeBytes && std::all_of(text.begin(), text.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '.' || c == '_' || c == '-';
  });
}

std::optional<std::string> string_of(const boost::json::object& record, const char* name) {
  const auto* value = record.if_contains(name);
  if (value == nullptr || !value->is_string()) return std::nullopt;
  return std::string(value->as_string());
}

// Labels joined by ", ", cut at a label boundary so that the value stays within kMaxValueBytes.
std::string joined_labels(const std::vector<std::string>& codes, Language language, const TemplateSet& templates) {
  std::string out;
  for (std::size_t i = 0; i < codes.size(); ++i) {
    const std::string& label = templates.label(codes[i], language);
    const std::string separator = out.empty() ? "" : ", ";
    if (out.size() + separator.size() + label.size() + 5 > kMaxValueBytes) return out + ", …";
    out += separator + label;
  }
  return out;
}

}  // namespace

Expected<AccessNotice, std::string> parse_access_notice(const boost::json::object& record) {
  AccessNotice notice;
  for (auto [name, target] : {std::pair{"consumer", &notice.consumer}, std::pair{"provider", &notice.provider},
                              std::pair{"category", &notice.category}, std::pair{"purpose", &notice.purpose},
                              std::pair{"basis", &notice.basis}}) {
    auto value = string_of(record, name);
    if (!value || !is_code(*value)) return std::string(name);
    *target = std::move(*value);
  }
  if (notice.basis != "consent" && notice.basis != "law") return std::string("basis");
  if (record.contains("legal_reference")) {
    auto reference = string_of(record, "legal_reference");
    if (!reference || reference->size() > kMaxValueBytes || !decode_utf8(*reference)) return std::string("legal_reference");
    notice.legal_reference = std::move(*reference);
  }
  auto fields = string_of(record, "fields");
  if (!fields || fields->size() > kMaxFields * (kMaxCodeBytes + 1)) return std::string("fields");
  for (std::size_t start = 0; start <= fields->size();) {
    const std::size_t comma = std::min(fields->find(',', start), fields->size());
    std::string name = fields->substr(start, comma - start);
    if (!is_code(name) || notice.fields.size() == kMaxFields) return std::string("fields");
    notice.fields.push_back(std::move(name));
    start = comma + 1;
  }
  auto at = string_of(record, "accessed_at");
  auto parsed = at ? parse_utc(*at) : std::nullopt;
  if (!parsed || parsed->date_only) return std::string("accessed_at");
  notice.accessed_at = std::chrono::time_point_cast<std::chrono::seconds>(parsed->time);
  const auto* seq = record.if_contains("audit_seq");
  if (seq == nullptr || !(seq->is_int64() || seq->is_uint64())) return std::string("audit_seq");
  if (seq->is_uint64() && seq->as_uint64() > static_cast<std::uint64_t>(INT64_MAX)) return std::string("audit_seq");
  notice.audit_seq = seq->is_int64() ? seq->as_int64() : static_cast<std::int64_t>(seq->as_uint64());
  if (notice.audit_seq < 0) return std::string("audit_seq");
  return notice;
}

Values access_values(const AccessNotice& notice, Language language, const TemplateSet& templates) {
  Values values;
  values["consumer"] = templates.label(notice.consumer, language);
  values["provider"] = templates.label(notice.provider, language);
  values["category"] = templates.label(notice.category, language);
  values["purpose"] = templates.label(notice.purpose, language);
  values["fields"] = joined_labels(notice.fields, language, templates);
  values["basis"] = notice.basis == "law" && !notice.legal_reference.empty() ? notice.legal_reference
                                                                             : templates.label(notice.basis, language);
  values["accessed_at"] = format_quebec_minutes(notice.accessed_at);
  values["audit_seq"] = std::to_string(notice.audit_seq);
  return values;
}

DigestContent digest_content(std::vector<AccessNotice> notices, Language language, const TemplateSet& templates) {
  std::stable_sort(notices.begin(), notices.end(),
                   [](const AccessNotice& a, const AccessNotice& b) { return a.accessed_at < b.accessed_at; });
  DigestContent content;
  content.values["access_count"] = std::to_string(notices.size());
  for (std::size_t i = 0; i < notices.size() && i < kMaxDigestItems; ++i) {
    content.items.push_back(access_values(notices[i], language, templates));
  }
  return content;
}

std::string digest_event_id(const std::string& subject, std::chrono::year_month_day day) {
  const Hash hash = Sha256().update(subject).finish();
  return "digest:" + format_date(day) + ":" + to_hex(std::span<const std::uint8_t>(hash.data(), 16));
}

}  // namespace pse::notify
