#include "broker/audit/subject_index.hpp"

#include <algorithm>
#include <tuple>

namespace pse::audit {
namespace {

// A commit inserts at least this many keys of the draining run, and at least twice as many as
// it appends, so a run is indexed before the next one is complete.
constexpr std::size_t min_slice = 512;

Result<std::int64_t> single_integer(SqliteDatabase& database, std::string_view sql) {
  auto select = database.prepare(sql);
  if (!select) return select.error();
  auto row = select->step();
  if (!row) return row.error();
  return select->integer(0);
}

}  // namespace

bool SubjectIndexWriter::Key::operator<(const Key& other) const {
  return std::tie(subject, seq) < std::tie(other.subject, other.seq);
}

Result<SubjectIndexWriter> SubjectIndexWriter::open(SqliteDatabase& database) {
  SubjectIndexWriter writer(database);
  if (auto status = writer.prepare_statements(); !status) return status.error();
  if (auto status = writer.reload(); !status) return status.error();
  return writer;
}

Status SubjectIndexWriter::prepare_statements() {
  // OR IGNORE: a run half inserted before a restart is inserted again from its start.
  auto insert = database_->prepare("INSERT OR IGNORE INTO subject_index (run, subject_hash, seq) VALUES (?, ?, ?)");
  if (!insert) return insert.error();
  auto read_keys = database_->prepare("SELECT seq, subject_hash FROM audit_entries WHERE seq >= ? AND seq < ? ORDER BY seq");
  if (!read_keys) return read_keys.error();
  insert_ = std::move(insert).value();
  read_keys_ = std::move(read_keys).value();
  return Ok{};
}

Status SubjectIndexWriter::reload() {
  auto upto = single_integer(*database_, "SELECT coalesce(max(indexed_upto), 0) FROM writer_state");
  if (!upto) return upto.error();
  auto entry_end = single_integer(*database_, "SELECT coalesce(max(seq) + 1, 0) FROM audit_entries");
  if (!entry_end) return entry_end.error();
  indexed_upto_ = static_cast<std::uint64_t>(std::max<std::int64_t>(*upto, 0)) / subject_run_size * subject_run_size;
  draining_run_ = false;
  draining_.clear();
  drained_ = 0;
  unindexed_.clear();
  const auto end = static_cast<std::uint64_t>(std::max<std::int64_t>(*entry_end, 0));
  if (auto status = index_complete_runs(end); !status) return status;
  return read_keys(indexed_upto_, end, unindexed_);
}

Status SubjectIndexWriter::index_complete_runs(std::uint64_t entry_end) {
  auto has_state = single_integer(*database_, "SELECT count(*) FROM writer_state");
  if (!has_state) return has_state.error();
  if (*has_state == 0) return Ok{};  // nothing committed yet (or a log the writer will refuse)
  auto save = database_->prepare("UPDATE writer_state SET indexed_upto = ?");
  if (!save) return save.error();
  std::vector<Key> run;
  while (indexed_upto_ + subject_run_size <= entry_end) {
    run.clear();
    if (auto status = read_keys(indexed_upto_, indexed_upto_ + subject_run_size, run); !status) return status;
    std::sort(run.begin(), run.end());
    if (auto status = database_->execute("BEGIN IMMEDIATE"); !status) return status;
    Status status = insert(run);
    if (status) {
      save->bind(1, static_cast<std::int64_t>(indexed_upto_ + subject_run_size));
      status = save->run();
    }
    if (status) status = database_->execute("COMMIT");
    if (!status) {
      (void)database_->execute("ROLLBACK");
      return status;
    }
    indexed_upto_ += subject_run_size;
  }
  return Ok{};
}

Status SubjectIndexWriter::read_keys(std::uint64_t begin, std::uint64_t end, std::vector<Key>& into) {
  read_keys_.bind(1, static_cast<std::int64_t>(begin));
  read_keys_.bind(2, static_cast<std::int64_t>(end));
  while (true) {
    auto row = read_keys_.step();
    if (!row) {
      read_keys_.reset();
      return row.error();
    }
    if (!*row) break;
    // A subject hash of the wrong size is left out here; verify reports the entry itself.
    if (const auto subject = read_keys_.hash(1)) {
      into.push_back({*subject, static_cast<std::uint64_t>(read_keys_.integer(0))});
    }
  }
  read_keys_.reset();
  return Ok{};
}

Status SubjectIndexWriter::insert(std::span<const Key> keys) {
  for (const Key& key : keys) {
    insert_.bind(1, static_cast<std::int64_t>(key.seq / subject_run_size));
    insert_.bind_blob(2, key.subject);
    insert_.bind(3, static_cast<std::int64_t>(key.seq));
    if (auto status = insert_.run(); !status) return status;
  }
  return Ok{};
}

Result<std::uint64_t> SubjectIndexWriter::add(std::span<const AuditEntry> entries) {
  for (const AuditEntry& entry : entries) unindexed_.push_back({entry.subject_hash, entry.seq});
  const std::uint64_t run_end = indexed_upto_ + subject_run_size;
  if (!draining_run_ && !entries.empty() && entries.back().seq + 1 >= run_end) {
    const auto after_run =
        std::partition_point(unindexed_.begin(), unindexed_.end(), [&](const Key& key) { return key.seq < run_end; });
    draining_.assign(unindexed_.begin(), after_run);
    unindexed_.erase(unindexed_.begin(), after_run);
    std::sort(draining_.begin(), draining_.end());
    drained_ = 0;
    draining_run_ = true;
  }
  if (!draining_run_) return indexed_upto_;
  const std::size_t slice = std::min(draining_.size() - drained_, std::max(min_slice, 2 * entries.size()));
  if (auto status = insert(std::span(draining_).subspan(drained_, slice)); !status) return status.error();
  drained_ += slice;
  if (drained_ == draining_.size()) {
    draining_run_ = false;
    draining_.clear();
    drained_ = 0;
    indexed_upto_ = run_end;
  }
  return indexed_upto_;
}

}  // namespace pse::audit
