// Batch mode: a drop folder whose complete files are turned into publishes.
//
// A file is taken only when it is complete: either its marker `<name>.done` exists
// (done_marker), or its size and modification time have not changed for `stable_for`
// (stable_size). Names starting with '.' are ignored (writers' temporary files), and so are
// markers, `*.tmp` and sub-folders.
//
// The folder is not trusted (directory_handle.hpp): a symbolic link, a FIFO, a socket or a
// device is never read, nor a file over `max_file_bytes`; each is refused at once — moved to
// `rejected/` with a summary whose reason starts with `not_regular_file` or `file_too_large` —
// so that nothing dropped is silently lost or left to block the next passes.
//
// A taken file is read once into memory, hashed (SHA-256), decoded by its codec and mapped;
// then each record is published with the idempotency key `<category>:<hash>:<record number>`
// (the first 128 bits of the hash in hex). The key depends only on the file's content and the
// record's place in it, so a file dropped twice, or rerun after a crash midway, publishes
// nothing new: the broker acknowledges the repeated keys as duplicates.
//
// Outcomes, each with a summary `<name>.summary.json` and a log line of the counts:
//   - done: moved to `done/`; records that could not be used (decode or mapping errors under
//     skip_record, a publish the broker refused for that record) are listed, one JSON line each
//     with its reason, in `rejected/<name>.rejects.jsonl`;
//   - rejected: the file as a whole (reject_file policy and a bad record, or a file-level
//     problem, or not a regular file, or too large) moved to `rejected/` with its reject file;
//     nothing of it was published;
//   - retry later: the broker could not be reached (or was overloaded) — the file stays where
//     it is and is taken again at the next poll; the keys make the rerun safe.
#pragma once

#include "adapters/connector/canonical_source.hpp"
#include "adapters/connector/connector_config.hpp"
#include "adapters/connector/directory_handle.hpp"
#include "adapters/connector/field_mapping.hpp"

#include <pse/publish.hpp>
#include <pse/result.hpp>

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <map>
#include <string>
#include <string_view>
#include <vector>

namespace pse::connector {

/// Where records go: the broker (pse::Client::publish) in production, a recorder in tests.
class Publisher {
 public:
  virtual ~Publisher() = default;
  /// Thread-safe. An idempotency key already seen answers duplicate = true.
  virtual pse::Result<pse::PublishResponse> publish(const pse::PublishRequest& request) = 0;
};

/// `<category>:<first 32 hex digits of the content hash>:<record number>` — at most 128
/// characters of `A-Z a-z 0-9 . _ - :` for any classified category id.
std::string idempotency_key(std::string_view category, std::string_view content_hash_hex, std::uint64_t record);

enum class FileOutcome { done, rejected, retry_later };

std::string_view to_string(FileOutcome outcome) noexcept;

struct FileReport {
  std::string file;  ///< the file's name in the drop folder
  FileOutcome outcome = FileOutcome::done;
  std::string content_hash;
  std::uint64_t read = 0;        ///< records read from the file
  std::uint64_t accepted = 0;    ///< published, or already published (duplicates)
  std::uint64_t rejected = 0;    ///< in the reject file
  std::uint64_t published = 0;   ///< new events the broker accepted
  std::uint64_t duplicates = 0;  ///< keys the broker had already seen
  std::string reason;            ///< file-level reason (rejected, retry later)
  /// Outcome, counts and reason as one JSON object (the summary file's content).
  std::string summary_json() const;
};

struct DropFolderSettings {
  std::string category;
  std::filesystem::path folder;
  Completion completion = Completion::done_marker;
  std::chrono::milliseconds stable_for{2000};
  std::uint64_t max_file_bytes = kDefaultMaxFileBytes;
};

class DropFolder {
 public:
  /// Creates `folder`, `done/` and `rejected/` when missing and holds them open; throws
  /// std::filesystem_error, also when done/ or rejected/ is a symbolic link.
  DropFolder(DropFolderSettings settings, const FileCodec& codec, RecordMapper mapper, Publisher& publisher);

  /// One pass over the folder: processes every file complete at `now`, in name order.
  std::vector<FileReport> poll(std::chrono::steady_clock::time_point now = std::chrono::steady_clock::now());

  /// Processes one file of the folder now, whether complete or not (poll() decides that).
  FileReport process(const std::string& name);

  const DropFolderSettings& settings() const noexcept { return settings_; }

 private:
  struct Observation {
    std::uint64_t size = 0;
    std::int64_t modified_ns = 0;
    std::chrono::steady_clock::time_point since;
  };
  bool complete(const DirectoryEntry& entry, std::chrono::steady_clock::time_point now);
  void finish(const std::string& name, FileReport& report, const std::vector<std::string>& reject_lines);

  DropFolderSettings settings_;
  DirectoryHandle folder_;
  DirectoryHandle done_;
  DirectoryHandle rejected_;
  const FileCodec& codec_;
  RecordMapper mapper_;
  Publisher& publisher_;
  std::map<std::string, Observation> observed_;  ///< stable_size: what each file looked like, since when
};

}  // namespace pse::connector
