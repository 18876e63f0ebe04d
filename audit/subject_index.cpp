#include "audit/subject_index.hpp"

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

constexpr std::string_view select_entry_keys =
    "SELECT seq, subject_hash FROM audit_entries WHERE seq >= ? AND seq < ? ORDER BY seq";

// Appends (subject, seq) of the entries with begin <= seq < end, in seq order. A subject hash
// of the wrong size is left out; verify reports the entry itself.
Status read_entry_keys(SqliteStatement& select, std::uint64_t begin, std::uint64_t end,
                       std::vector<SubjectIndexKey>& into) {
  select.bind(1, static_cast<std::int64_t>(begin));
  select.bind(2, static_cast<std::int64_t>(end));
  while (true) {
    auto row = select.step();
    if (!row) {
      select.reset();
      return row.error();
    }
    if (!*row) break;
    if (const auto subject = select.hash(1)) into.push_back({*subject, static_cast<std::uint64_t>(select.integer(0))});
  }
  select.reset();
  return Ok{};
}

}  // namespace

bool SubjectIndexKey::operator<(const SubjectIndexKey& other) const {
  return std::tie(subject, seq) < std::tie(other.subject, other.seq);
}

Result<std::optional<std::string>> check_subject_index(SqliteDatabase& database) {
  auto upto = single_integer(database, "SELECT coalesce(max(indexed_upto), 0) FROM writer_state");
  if (!upto) return upto.error();
  auto entry_end = single_integer(database, "SELECT coalesce(max(seq) + 1, 0) FROM audit_entries");
  if (!entry_end) return entry_end.error();
  if (*upto > *entry_end || *upto % static_cast<std::int64_t>(subject_run_size) != 0) {
    return std::optional<std::string>("the subject index claims to cover " + std::to_string(*upto) +
                                      " entries, the log has " + std::to_string(*entry_end));
  }
  auto entries = database.prepare(select_entry_keys);
  if (!entries) return entries.error();
  auto rows = database.prepare("SELECT subject_hash, seq FROM subject_index WHERE run = ? ORDER BY subject_hash, seq");
  if (!rows) return rows.error();
  auto beyond = database.prepare("SELECT count(*) FROM subject_index WHERE run >= ?");
  if (!beyond) return beyond.error();

  const std::uint64_t runs = (static_cast<std::uint64_t>(*entry_end) + subject_run_size - 1) / subject_run_size;
  const std::uint64_t complete_runs = static_cast<std::uint64_t>(*upto) / subject_run_size;
  std::uint64_t stray = 0;    // rows that match no entry of their run
  std::uint64_t missing = 0;  // entries of a complete run without their row
  std::vector<SubjectIndexKey> expected;
  std::vector<SubjectIndexKey> found;
  for (std::uint64_t run = 0; run < runs; ++run) {
    expected.clear();
    found.clear();
    if (auto status = read_entry_keys(*entries, run * subject_run_size, (run + 1) * subject_run_size, expected);
        !status) {
      return status.error();
    }
    std::sort(expected.begin(), expected.end());
    rows->bind(1, static_cast<std::int64_t>(run));
    while (true) {
      auto row = rows->step();
      if (!row) return row.error();
      if (!*row) break;
      const auto subject = rows->hash(0);
      if (!subject) {
        ++stray;
        continue;
      }
      found.push_back({*subject, static_cast<std::uint64_t>(rows->integer(1))});
    }
    rows->reset();
    // Both sorted: count what each has that the other lacks.
    std::size_t e = 0;
    std::size_t f = 0;
    while (e < expected.size() || f < found.size()) {
      if (f == found.size() || (e < expected.size() && expected[e] < found[f])) {
        if (run < complete_runs) ++missing;  // a run being indexed may lack rows yet
        ++e;
      } else if (e == expected.size() || found[f] < expected[e]) {
        ++stray;
        ++f;
      } else {
        ++e;
        ++f;
      }
    }
  }
  beyond->bind(1, static_cast<std::int64_t>(runs));
  if (auto row = beyond->step(); !row) return row.error();
  stray += static_cast<std::uint64_t>(beyond->integer(0));

  if (stray > 0) {
    return std::optional<std::string>(std::to_string(stray) +
                                      " rows of the subject index point at no entry of their subject (added or altered)");
  }
  if (missing > 0) {
    return std::optional<std::string>(std::to_string(missing) +
                                      " entries are missing from the subject index (rows deleted): a citizen's view "
                                      "would not show them");
  }
  return std::optional<std::string>();
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
  auto read_keys = database_->prepare(select_entry_keys);
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
  return read_entry_keys(read_keys_, indexed_upto_, end, unindexed_);
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
    if (auto status = read_entry_keys(read_keys_, indexed_upto_, indexed_upto_ + subject_run_size, run); !status) {
      return status;
    }
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
