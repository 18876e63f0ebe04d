#include "clients/pse-audit/entry_output.hpp"

#include "base/sha256.hpp"

namespace pse::audit_cli {
namespace {

using audit::AuditEntry;

std::size_t display_width(const std::string& text) {
  std::size_t width = 0;
  for (const char c : text) {
    if ((static_cast<unsigned char>(c) & 0xC0) != 0x80) ++width;  // count UTF-8 lead bytes only
  }
  return width;
}

std::string csv_cell(const std::string& text) {
  if (text.find_first_of(",\"\r\n") == std::string::npos) return text;
  std::string out = "\"";
  for (const char c : text) {
    if (c == '"') out.push_back('"');
    out.push_back(c);
  }
  return out + "\"";
}

std::string basis_text(const AuditEntry& entry) {
  if (entry.basis_type == audit::BasisType::none) return "";
  return std::string(to_string(entry.basis_type)) + ":" + entry.basis;
}

}  // namespace

std::string format_table(const std::vector<std::vector<std::string>>& rows) {
  std::vector<std::size_t> widths;
  for (const auto& row : rows) {
    widths.resize(std::max(widths.size(), row.size()), 0);
    for (std::size_t i = 0; i < row.size(); ++i) widths[i] = std::max(widths[i], display_width(row[i]));
  }
  std::string out;
  for (const auto& row : rows) {
    std::string line;
    for (std::size_t i = 0; i < row.size(); ++i) {
      line += row[i];
      if (i + 1 < row.size()) line += std::string(widths[i] - display_width(row[i]) + 2, ' ');
    }
    out += line + "\n";
  }
  return out;
}

std::string entries_table(const std::vector<AuditEntry>& entries) {
  std::vector<std::vector<std::string>> rows;
  rows.push_back({"SEQ", "TIME (UTC)", "CONSUMER", "PROVIDER", "CATEGORY", "PURPOSE", "DECISION", "REASON", "BASIS"});
  for (const AuditEntry& entry : entries) {
    rows.push_back({std::to_string(entry.seq), audit::format_time(entry.time), entry.consumer, entry.provider,
                    entry.category, entry.purpose, std::string(to_string(entry.decision)), entry.reason,
                    basis_text(entry)});
  }
  return format_table(rows) + "(" + std::to_string(entries.size()) + " entries)\n";
}

std::string entries_csv(const std::vector<AuditEntry>& entries) {
  std::string out =
      "seq,time,request_id,consumer,provider,category,purpose,decision,reason,rule_id,basis_type,basis,"
      "permitted_fields,payload_hash,subject_hash,obligations\r\n";
  for (const AuditEntry& entry : entries) {
    const std::vector<std::string> cells = {
        std::to_string(entry.seq), audit::format_time(entry.time), entry.request_id, entry.consumer, entry.provider,
        entry.category, entry.purpose, std::string(to_string(entry.decision)), entry.reason, entry.rule_id,
        std::string(to_string(entry.basis_type)), entry.basis, audit::join_fields(entry.permitted_fields),
        entry.payload_hash ? pse::to_hex(*entry.payload_hash) : "", pse::to_hex(entry.subject_hash),
        audit::join_fields(entry.obligations)};
    for (std::size_t i = 0; i < cells.size(); ++i) {
      if (i > 0) out.push_back(',');
      out += csv_cell(cells[i]);
    }
    out += "\r\n";
  }
  return out;
}

boost::json::object entry_to_json(const AuditEntry& entry) {
  boost::json::object json;
  json["seq"] = entry.seq;
  json["time"] = audit::format_time(entry.time);
  json["request_id"] = entry.request_id;
  json["consumer"] = entry.consumer;
  json["provider"] = entry.provider;
  json["category"] = entry.category;
  json["purpose"] = entry.purpose;
  json["decision"] = to_string(entry.decision);
  json["reason"] = entry.reason;
  json["rule_id"] = entry.rule_id;
  json["basis_type"] = to_string(entry.basis_type);
  json["basis"] = entry.basis;
  boost::json::array fields;
  for (const std::string& field : entry.permitted_fields) fields.emplace_back(field);
  json["permitted_fields"] = std::move(fields);
  json["payload_hash"] = entry.payload_hash ? boost::json::value(pse::to_hex(*entry.payload_hash)) : nullptr;
  json["subject_hash"] = pse::to_hex(entry.subject_hash);
  boost::json::array obligations;
  for (const std::string& obligation : entry.obligations) obligations.emplace_back(obligation);
  json["obligations"] = std::move(obligations);
  return json;
}

std::string entries_json(const std::vector<AuditEntry>& entries) {
  boost::json::array array;
  for (const AuditEntry& entry : entries) array.emplace_back(entry_to_json(entry));
  return boost::json::serialize(array) + "\n";
}

}  // namespace pse::audit_cli
