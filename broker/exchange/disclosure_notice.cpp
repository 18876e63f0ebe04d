#include "broker/exchange/disclosure_notice.hpp"

#include <boost/json.hpp>

namespace pse::broker {
namespace json = boost::json;

std::string encode_notice(const DisclosureNotice& notice) {
  json::array fields;
  for (const auto& field : notice.fields) fields.emplace_back(field);
  return json::serialize(json::object{
      {"subject", notice.subject},
      {"consumer", notice.consumer},
      {"provider", notice.provider},
      {"category", notice.category},
      {"purpose", notice.purpose},
      {"fields", std::move(fields)},
      {"rule_id", notice.rule_id},
      {"basis_type", notice.basis_type},
      {"basis_reference", notice.basis_reference},
      {"at", policy::format_instant(notice.at)},
      {"request_id", notice.request_id},
  });
}

std::optional<DisclosureNotice> decode_notice(std::string_view text, std::uint64_t audit_seq) {
  boost::system::error_code ec;
  const json::value parsed = json::parse(text, ec);
  if (ec || !parsed.is_object()) return std::nullopt;
  const json::object& object = parsed.as_object();
  const auto string_of = [&object](std::string_view key, std::string& out) {
    const json::value* value = object.if_contains(key);
    if (value == nullptr || !value->is_string()) return false;
    out = std::string(value->as_string());
    return true;
  };
  DisclosureNotice notice;
  std::string at;
  if (!string_of("subject", notice.subject) || !string_of("consumer", notice.consumer) ||
      !string_of("provider", notice.provider) || !string_of("category", notice.category) ||
      !string_of("purpose", notice.purpose) || !string_of("rule_id", notice.rule_id) ||
      !string_of("basis_type", notice.basis_type) || !string_of("basis_reference", notice.basis_reference) ||
      !string_of("at", at) || !string_of("request_id", notice.request_id)) {
    return std::nullopt;
  }
  const json::value* fields = object.if_contains("fields");
  if (fields == nullptr || !fields->is_array()) return std::nullopt;
  for (const json::value& field : fields->as_array()) {
    if (!field.is_string()) return std::nullopt;
    notice.fields.emplace_back(field.as_string());
  }
  const auto instant = policy::parse_instant(at);
  if (!instant || instant->date_only) return std::nullopt;
  notice.at = instant->instant;
  notice.audit_seq = audit_seq;
  return notice;
}

}  // namespace pse::broker
