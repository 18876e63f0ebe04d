#include "adapters/connector/drop_folder.hpp"

#include "adapters/connector/record_index.hpp"
#include "adapters/record/record.hpp"
#include "base/log.hpp"
#include "base/sha256.hpp"

#include <boost/json/object.hpp>
#include <boost/json/serialize.hpp>

#include <algorithm>
#include <set>
#include <utility>

namespace pse::connector {
namespace {

namespace fs = std::filesystem;

bool transient(pse::Reason reason) {
  switch (reason) {
    case pse::Reason::provider_unavailable:
    case pse::Reason::provider_timeout:
    case pse::Reason::overloaded:
    case pse::Reason::rate_limited:
    case pse::Reason::audit_unavailable:
    case pse::Reason::shutting_down:
    case pse::Reason::internal_error:
    case pse::Reason::too_many_connections: return true;
    default: return false;
  }
}

bool ends_with(std::string_view text, std::string_view suffix) {
  return text.size() >= suffix.size() && text.substr(text.size() - suffix.size()) == suffix;
}

}  // namespace

std::string idempotency_key(std::string_view category, std::string_view content_hash_hex, std::uint64_t record) {
  std::string key(category);
  key += ':';
  key += content_hash_hex.substr(0, 32);
  key += ':';
  key += std::to_string(record);
  return key;
}

std::string_view to_string(FileOutcome outcome) noexcept {
  switch (outcome) {
    case FileOutcome::done: return "done";
    case FileOutcome::rejected: return "rejected";
    case FileOutcome::retry_later: return "retry_later";
  }
  return "?";
}

std::string FileReport::summary_json() const {
  boost::json::object summary;
  summary["file"] = file;
  summary["outcome"] = std::string(to_string(outcome));
  summary["sha256"] = content_hash;
  summary["read"] = read;
  summary["accepted"] = accepted;
  summary["rejected"] = rejected;
  summary["published"] = published;
  summary["duplicates"] = duplicates;
  if (!reason.empty()) summary["reason"] = reason;
  return boost::json::serialize(summary);
}

namespace {

/// Creates `folder` when missing and opens it; `follow_link`: as DirectoryHandle.
DirectoryHandle open_folder(const fs::path& folder, bool follow_link) {
  fs::create_directories(folder);
  return DirectoryHandle(folder, follow_link);
}

}  // namespace

DropFolder::DropFolder(DropFolderSettings settings, const FileCodec& codec, RecordMapper mapper, Publisher& publisher)
    : settings_(std::move(settings)),
      folder_(open_folder(settings_.folder, /*follow_link=*/true)),
      done_(open_folder(settings_.folder / "done", /*follow_link=*/false)),
      rejected_(open_folder(settings_.folder / "rejected", /*follow_link=*/false)),
      codec_(codec),
      mapper_(std::move(mapper)),
      publisher_(publisher) {}

bool DropFolder::complete(const DirectoryEntry& entry, std::chrono::steady_clock::time_point now) {
  if (settings_.completion == Completion::done_marker) return folder_.status(entry.name + ".done").has_value();
  const EntryStatus& status = entry.status;
  auto [seen, first] = observed_.try_emplace(entry.name, Observation{status.size, status.modified_ns, now});
  if (first || seen->second.size != status.size || seen->second.modified_ns != status.modified_ns) {
    seen->second = Observation{status.size, status.modified_ns, now};
    return false;
  }
  return now - seen->second.since >= settings_.stable_for;
}

std::vector<FileReport> DropFolder::poll(std::chrono::steady_clock::time_point now) {
  std::vector<std::string> names;
  std::set<std::string> present;
  std::error_code error;
  for (const auto& entry : folder_.list(error)) {
    const std::string& name = entry.name;
    present.insert(name);
    if (name.front() == '.' || ends_with(name, ".done") || ends_with(name, ".tmp")) continue;
    if (entry.status.kind == EntryKind::directory) continue;
    // Anything else that is not a regular file will never be one: refused now, not watched.
    if (entry.status.kind != EntryKind::regular || complete(entry, now)) names.push_back(name);
  }
  if (error) log::warn("cannot list the drop folder", {{"folder", settings_.folder.string()}, {"error", error.message()}});
  // Forget files that are gone, so that the map does not grow without bound.
  std::erase_if(observed_, [&](const auto& seen) { return !present.contains(seen.first); });
  std::sort(names.begin(), names.end());
  std::vector<FileReport> reports;
  for (const auto& name : names) {
    reports.push_back(process(name));
    observed_.erase(name);
    if (reports.back().outcome == FileOutcome::retry_later) break;  // the broker is away: try again later
  }
  return reports;
}

FileReport DropFolder::process(const std::string& name) {
  FileReport report;
  report.file = name;
  FileRead file = folder_.read_regular_file(name, settings_.max_file_bytes);
  if (file.outcome == FileRead::Outcome::unreadable) {
    report.outcome = FileOutcome::retry_later;
    report.reason = file.message;
    log::warn("batch file unreadable", {{"category", settings_.category}, {"file", name}, {"error", report.reason}});
    return report;
  }
  if (file.outcome == FileRead::Outcome::refused) {
    report.outcome = FileOutcome::rejected;
    report.reason = file.code + ": " + file.message;
    log::warn("batch file refused", {{"category", settings_.category}, {"file", name}, {"reason", file.code}});
    finish(name, report, {});
    return report;
  }
  const std::string& bytes = file.bytes;
  report.content_hash = to_hex(sha256(bytes));
  FileBatch batch = codec_.decode(bytes, name);
  std::vector<std::string> reject_lines = std::move(batch.reject_lines);
  report.read = batch.counts.read;
  report.rejected = batch.counts.rejected;
  if (batch.file_rejected) {
    report.outcome = FileOutcome::rejected;
    report.reason = batch.file_reason;
    report.rejected = report.read;
    finish(name, report, reject_lines);
    return report;
  }

  // Map every record before publishing any: under reject_file, one bad record refuses the file.
  std::vector<std::pair<std::uint64_t, MappedRecord>> ready;
  ready.reserve(batch.records.size());
  for (std::size_t i = 0; i < batch.records.size(); ++i) {
    MappingOutcome mapped = mapper_.map(batch.records[i]);
    if (mapped.error.empty()) {
      ready.emplace_back(batch.numbers[i], std::move(mapped.record));
      continue;
    }
    reject_lines.push_back(reject_json(name, batch.numbers[i], mapped.field, mapped.error));
    ++report.rejected;
    if (codec_.policy() == adapters::ErrorPolicy::reject_file) {
      report.outcome = FileOutcome::rejected;
      report.reason = name + ": record " + std::to_string(batch.numbers[i]) + ", field '" + mapped.field + "': " + mapped.error;
      report.rejected = report.read;
      finish(name, report, reject_lines);
      return report;
    }
  }

  for (auto& [number, record] : ready) {
    pse::PublishRequest request;
    request.category = settings_.category;
    request.subject = std::move(record.subject);
    request.idempotency_key = idempotency_key(settings_.category, report.content_hash, number);
    request.record = std::move(record.fields);
    auto published = publisher_.publish(request);
    if (published) {
      ++report.accepted;
      ++(published->duplicate ? report.duplicates : report.published);
      continue;
    }
    const pse::Error& error = published.error();
    if (transient(error.reason)) {
      report.outcome = FileOutcome::retry_later;
      report.reason = std::string(pse::to_string(error.reason)) + ": " + error.message;
      log::warn("batch file left for later: the broker did not take a publish",
                {{"category", settings_.category}, {"file", name}, {"record", number},
                 {"reason", pse::to_string(error.reason)}, {"published", report.published}});
      return report;
    }
    reject_lines.push_back(reject_json(name, number, "", "publish refused: " + std::string(pse::to_string(error.reason)) +
                                                             (error.message.empty() ? "" : ": " + error.message)));
    ++report.rejected;
  }
  report.outcome = FileOutcome::done;
  finish(name, report, reject_lines);
  return report;
}

void DropFolder::finish(const std::string& name, FileReport& report, const std::vector<std::string>& reject_lines) {
  const DirectoryHandle& destination = report.outcome == FileOutcome::done ? done_ : rejected_;
  // A name already there (the same file dropped again) gets the content hash, then a counter.
  std::string final_name = name;
  if (destination.status(final_name) && !report.content_hash.empty()) final_name = name + "." + report.content_hash.substr(0, 12);
  const std::string taken = final_name;
  for (int counter = 1; destination.status(final_name); ++counter) final_name = taken + "." + std::to_string(counter);
  std::error_code error;
  if (!reject_lines.empty()) {
    std::string content;
    for (const auto& line : reject_lines) content += line + "\n";
    if (!rejected_.write_atomically(final_name + ".rejects.jsonl", content, error)) {
      log::error("cannot write the reject file", {{"category", settings_.category}, {"file", name}, {"error", error.message()}});
    }
  }
  if (!destination.write_atomically(final_name + ".summary.json", report.summary_json() + "\n", error)) {
    log::error("cannot write the summary file", {{"category", settings_.category}, {"file", name}, {"error", error.message()}});
  }
  // The move is the commit point: until then a crash leaves the file to be processed again.
  if (!folder_.move(name, destination, final_name, error)) {
    log::error("cannot move the processed file", {{"category", settings_.category}, {"file", name}, {"error", error.message()}});
  }
  folder_.remove(name + ".done");
  log::write(report.outcome == FileOutcome::done ? log::Level::info : log::Level::warn, "batch file processed",
             {{"category", settings_.category}, {"file", name}, {"outcome", to_string(report.outcome)},
              {"read", report.read}, {"accepted", report.accepted}, {"rejected", report.rejected},
              {"published", report.published}, {"duplicates", report.duplicates}});
}

}  // namespace pse::connector
