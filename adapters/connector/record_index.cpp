#include "adapters/connector/record_index.hpp"

#include <pse/record_fields.hpp>

#include <fstream>
#include <sstream>

namespace pse::connector {

std::string reject_json(const std::string& file_name, std::uint64_t record, const std::string& field, const std::string& reason) {
  std::string line = "{\"file\":";
  adapters::append_json_string(line, file_name);
  line += ",\"record\":" + std::to_string(record) + ",\"field\":";
  adapters::append_json_string(line, field);
  line += ",\"reason\":";
  adapters::append_json_string(line, reason);
  line += "}";
  return line;
}

const boost::json::object* RecordIndex::find(std::string_view subject) const {
  const auto found = records_.find(subject);
  return found == records_.end() ? nullptr : &found->second;
}

IndexBuild build_index(const FileCodec& codec, const RecordMapper& mapper, std::string_view bytes, const std::string& file_name) {
  IndexBuild build;
  FileBatch batch = codec.decode(bytes, file_name);
  build.counts = batch.counts;
  build.reject_lines = std::move(batch.reject_lines);
  if (batch.file_rejected) {
    build.file_rejected = true;
    build.file_reason = std::move(batch.file_reason);
    build.file_location = std::move(batch.file_location);
    return build;
  }
  auto index = std::make_shared<RecordIndex>();
  index->reserve(batch.records.size());
  const bool reject_file = codec.policy() == adapters::ErrorPolicy::reject_file;
  for (std::size_t i = 0; i < batch.records.size(); ++i) {
    MappingOutcome mapped = mapper.map(batch.records[i]);
    std::string reason = std::move(mapped.error);
    std::string field = std::move(mapped.field);
    if (reason.empty()) {
      if (!index->insert(std::move(mapped.record.subject), std::move(mapped.record.fields))) {
        reason = "duplicate key: an earlier record has the same subject";
        field = mapper.key_field();
      }
    }
    if (reason.empty()) continue;
    build.reject_lines.push_back(reject_json(file_name, batch.numbers[i], field, reason));
    --build.counts.accepted;
    ++build.counts.rejected;
    if (reject_file) {
      build.file_rejected = true;
      build.file_location = file_name + ": record " + std::to_string(batch.numbers[i]) + ", field '" + field + "'";
      build.file_reason = build.file_location + ": " + reason;
      build.counts.accepted = 0;
      build.counts.rejected = build.counts.read;
      return build;
    }
  }
  build.index = std::move(index);
  return build;
}

pse::Result<std::string> read_whole_file(const std::filesystem::path& file) {
  std::ifstream in(file, std::ios::binary);
  if (!in) return pse::make_error(pse::Reason::provider_unavailable, "cannot open " + file.string());
  std::ostringstream text;
  text << in.rdbuf();
  if (in.bad()) return pse::make_error(pse::Reason::provider_unavailable, "cannot read " + file.string());
  return std::move(text).str();
}

KeyLookup::KeyLookup(std::unique_ptr<adapters::sql::KeyedSource> source, RecordMapper mapper)
    : source_(std::move(source)), mapper_(std::move(mapper)) {}

pse::Result<std::optional<boost::json::object>> KeyLookup::find(const std::string& subject) {
  auto outcome = source_->lookup(subject);
  if (!outcome) return outcome.error();
  if (!outcome->errors.empty()) {
    // The reason may quote the row's values: keep it out of the answer, the caller logs the field.
    return pse::make_error(pse::Reason::provider_error, "bad value in field '" + outcome->errors.front().field + "'");
  }
  if (outcome->records.empty()) return std::optional<boost::json::object>();
  if (outcome->records.size() > 1) return pse::make_error(pse::Reason::provider_error, "the key matches several rows");
  MappingOutcome mapped = mapper_.map(outcome->records.front());
  if (!mapped.error.empty()) return pse::make_error(pse::Reason::provider_error, "cannot map field '" + mapped.field + "'");
  return std::optional<boost::json::object>(std::move(mapped.record.fields));
}

boost::json::object project(const boost::json::object& record, const std::vector<std::string>& fields) {
  boost::json::object answer;
  answer.reserve(fields.size());
  for (const auto& name : fields) {
    if (const auto* value = record.if_contains(name)) {
      answer.emplace(name, *value);
      continue;
    }
    // "list.sub": the list, each item kept to the listed sub-fields (once for all of them).
    const std::string list = name.substr(0, name.find('.'));
    const auto* items = record.if_contains(list);
    if (list.size() == name.size() || items == nullptr || answer.contains(list)) continue;
    answer.emplace(list, records::project(boost::json::object{{list, *items}}, fields).at(list));
  }
  return answer;
}

}  // namespace pse::connector
