#include "audit/log_verifier.hpp"

#include "audit/merkle.hpp"
#include "audit/tree_nodes.hpp"

#include <algorithm>
#include <map>

namespace pse::audit {
namespace {

constexpr std::size_t max_entry_problems = 100;
constexpr std::uint64_t progress_every = 65536;
// Signatures checked at most when looking for the newest authentic head after tampering.
constexpr std::uint64_t max_signature_search = 10000;

std::string size_text(std::uint64_t size) { return std::to_string(size); }

// What the chain pass keeps of each head for the root checks.
struct HeadSummary {
  std::uint64_t tree_size;
  Hash root;
};

class ChainChecker {
 public:
  ChainChecker(const PublicKey& key, std::vector<VerifyProblem>& problems) : key_(key), problems_(problems) {}

  void add(const StoredTreeHead& stored) {
    ++count_;
    const std::uint64_t covered_from = previous_ ? previous_->tree_size : 0;
    if (!stored.well_formed) {
      problems_.push_back({covered_from, "tree head #" + std::to_string(count_) + " is malformed"});
      if (!first_break_) first_break_ = count_ - 1;
      previous_.reset();
      previous_malformed_ = true;
      return;
    }
    const SignedTreeHead& head = stored.head;
    const Hash expected_previous = previous_ ? tree_head_digest(*previous_) : Hash{};
    if (head.previous != expected_previous && !previous_malformed_ && !first_break_) {
      first_break_ = count_ - 1;
      report_broken_link(head);
    }
    if (previous_ && head.tree_size < previous_->tree_size) {
      problems_.push_back({head.tree_size, "tree head #" + std::to_string(count_) + " goes back from size " +
                                               size_text(previous_->tree_size) + " to " + size_text(head.tree_size)});
    }
    if (previous_ && head.time < previous_->time) {
      problems_.push_back({covered_from, "tree head #" + std::to_string(count_) + " is older than the one before"});
    }
    before_previous_size_ = covered_from;
    previous_ = head;
    previous_malformed_ = false;
    summaries_.push_back({head.tree_size, head.root});
  }

  /// A valid signature on a head authenticates it and, through the digests, every head before
  /// it up to the first broken link. Normally that is the newest head, one signature for the
  /// whole chain. Otherwise the newest authentic head before the break is searched for, and
  /// everything after it is in doubt.
  Status finish(AuditStore& store) {
    if (count_ == 0) return Ok{};
    const std::uint64_t last = count_ - 1;
    if (!first_break_ && previous_ && verify_tree_head(*previous_, key_)) return Ok{};
    if (first_break_ == 0U) {
      problems_.push_back({0, "the first tree head does not start the chain"});
      return Ok{};
    }
    const std::uint64_t search_from = first_break_ ? *first_break_ - 1 : last;
    std::vector<SignedTreeHead> candidates;  // heads [search_from - window, search_from]
    const std::uint64_t window_start = search_from >= max_signature_search ? search_from - max_signature_search + 1 : 0;
    std::uint64_t index = 0;
    auto status = store.read_tree_heads([&](const StoredTreeHead& stored) {
      if (index >= window_start && index <= search_from) {
        candidates.push_back(stored.well_formed ? stored.head : SignedTreeHead{});
      }
      return ++index <= search_from;
    });
    if (!status) return status;
    std::uint64_t authentic_size = 0;
    bool found = false;
    for (auto it = candidates.rbegin(); it != candidates.rend(); ++it) {
      if (verify_tree_head(*it, key_)) {
        authentic_size = it->tree_size;
        found = true;
        break;
      }
    }
    problems_.push_back({authentic_size, found ? "no validly signed tree head vouches for the log beyond size " +
                                                     size_text(authentic_size)
                                               : std::string("no tree head is validly signed by this key")});
    return Ok{};
  }

  std::uint64_t count() const noexcept { return count_; }
  const std::optional<SignedTreeHead>& latest() const noexcept { return previous_; }
  const std::vector<HeadSummary>& summaries() const noexcept { return summaries_; }

 private:
  // Either side of a broken link may be the culprit: the signatures tell which.
  void report_broken_link(const SignedTreeHead& head) {
    const std::uint64_t previous_size = previous_ ? previous_->tree_size : 0;
    if (previous_ && !verify_tree_head(*previous_, key_)) {
      problems_.push_back({before_previous_size_, "tree head of size " + size_text(previous_->tree_size) +
                                                      " is not validly signed: forged or altered"});
    } else if (!verify_tree_head(head, key_)) {
      problems_.push_back({previous_size, "tree head of size " + size_text(head.tree_size) +
                                              " is not validly signed: forged or altered"});
    } else {
      problems_.push_back({previous_size, "a tree head between sizes " + size_text(previous_size) + " and " +
                                              size_text(head.tree_size) + " was removed"});
    }
  }

  const PublicKey& key_;
  std::vector<VerifyProblem>& problems_;
  std::uint64_t count_ = 0;
  std::optional<SignedTreeHead> previous_;
  std::uint64_t before_previous_size_ = 0;
  bool previous_malformed_ = false;
  std::optional<std::uint64_t> first_break_;  // index of the first head whose link is broken
  std::vector<HeadSummary> summaries_;
};

// Roots of the recomputed tree at the sizes some head signed.
class Checkpoints {
 public:
  void want(std::uint64_t size) { sizes_.push_back(size); }
  void freeze() {
    std::sort(sizes_.begin(), sizes_.end());
    sizes_.erase(std::unique(sizes_.begin(), sizes_.end()), sizes_.end());
    roots_.assign(sizes_.size(), Hash{});
    found_.assign(sizes_.size(), false);
  }
  void observe(const MerkleFrontier& frontier) {
    while (next_ < sizes_.size() && sizes_[next_] <= frontier.size()) {
      if (sizes_[next_] == frontier.size()) {
        roots_[next_] = frontier.root();
        found_[next_] = true;
      }
      ++next_;
    }
  }
  std::optional<Hash> root_at(std::uint64_t size) const {
    const auto it = std::lower_bound(sizes_.begin(), sizes_.end(), size);
    if (it == sizes_.end() || *it != size) return std::nullopt;
    const auto index = static_cast<std::size_t>(it - sizes_.begin());
    if (!found_[index]) return std::nullopt;
    return roots_[index];
  }

 private:
  std::vector<std::uint64_t> sizes_;
  std::vector<Hash> roots_;
  std::vector<bool> found_;
  std::size_t next_ = 0;
};

// The stored tree nodes against the tree of the recorded leaf hashes, which proofs are built
// from together with them: checked in pages of a level's nodes as the pass over the entries
// completes them, so memory holds one page per stored level.
class NodeChecker {
 public:
  explicit NodeChecker(AuditStore& store) : store_(store) {}

  Status start() {
    auto has_nodes = store_.has_tree_nodes();
    if (!has_nodes) return has_nodes.error();
    checking_ = *has_nodes;
    return Ok{};
  }

  /// The next entry's recorded leaf hash. A gap in the entries ends the check: positions
  /// after it are not the tree's (the missing entries are reported themselves).
  Status add(std::uint64_t seq, const Hash& recorded) {
    if (!checking_) return Ok{};
    if (seq != frontier_.size()) {
      checking_ = false;
      return Ok{};
    }
    completed_.clear();
    append_leaf(frontier_, recorded, completed_);
    for (const MerkleNode& node : completed_) {
      std::vector<MerkleNode>& page = pending_[node.level];
      page.push_back(node);
      if (page.size() == page_size) {
        if (auto status = check(page); !status) return status;
      }
    }
    return Ok{};
  }

  Status finish(std::vector<VerifyProblem>& problems) {
    if (!checking_) return Ok{};
    for (auto& [level, page] : pending_) {
      if (auto status = check(page); !status) return status;
    }
    auto stored = store_.count_tree_nodes(frontier_.size());
    if (!stored) return stored.error();
    const std::uint64_t strays = *stored - std::min(*stored, expected_ - missing_);
    if (altered_ > 0) {
      problems.push_back({std::nullopt, "tree nodes: " + std::to_string(altered_) +
                                            " do not match the recorded leaf hashes (altered), the first " +
                                            describe(*first_altered_) + ": proofs over those entries fail"});
    }
    if (missing_ > 0) {
      problems.push_back({std::nullopt, "tree nodes: " + std::to_string(missing_) + " are missing (deleted), the first " +
                                            describe(*first_missing_) + ": proofs over those entries fail"});
    }
    if (strays > 0) {
      problems.push_back({std::nullopt, "tree nodes: " + std::to_string(strays) + " rows are no node of the log's tree (added)"});
    }
    return Ok{};
  }

 private:
  static constexpr std::size_t page_size = 4096;

  static std::string describe(const MerkleNode& node) {
    const std::uint64_t first = node.index << node.level;
    return "at level " + std::to_string(node.level) + ", index " + std::to_string(node.index) + " (entries " +
           std::to_string(first) + " to " + std::to_string(first + (std::uint64_t{1} << node.level) - 1) + ")";
  }

  // One page of a level: consecutive nodes.
  Status check(std::vector<MerkleNode>& page) {
    if (page.empty()) return Ok{};
    const unsigned level = page.front().level;
    std::size_t next = 0;
    auto compare = [&](const MerkleNode& expected, const StoredNode* stored) {
      ++expected_;
      if (stored == nullptr) {
        if (missing_++ == 0) first_missing_ = expected;
      } else if (!stored->well_formed || stored->hash != expected.hash) {
        if (altered_++ == 0) first_altered_ = expected;
      }
    };
    auto status = store_.read_tree_nodes(level, page.front().index, page.back().index + 1, [&](const StoredNode& stored) {
      for (; next < page.size() && page[next].index < stored.index; ++next) compare(page[next], nullptr);
      if (next < page.size() && page[next].index == stored.index) compare(page[next++], &stored);
      return true;
    });
    if (!status) return status;
    for (; next < page.size(); ++next) compare(page[next], nullptr);
    page.clear();
    return Ok{};
  }

  AuditStore& store_;
  bool checking_ = false;
  MerkleFrontier frontier_;
  std::vector<MerkleNode> completed_;
  std::map<unsigned, std::vector<MerkleNode>> pending_;  // by level
  std::uint64_t expected_ = 0;
  std::uint64_t missing_ = 0;
  std::uint64_t altered_ = 0;
  std::optional<MerkleNode> first_missing_;
  std::optional<MerkleNode> first_altered_;
};

// The first problem an entry row showed in [begin, end), if any.
std::optional<std::uint64_t> first_entry_problem(const std::vector<VerifyProblem>& entry_problems,
                                                 std::uint64_t begin, std::uint64_t end) {
  for (const VerifyProblem& problem : entry_problems) {
    if (problem.seq && *problem.seq >= begin && *problem.seq < end) return problem.seq;
  }
  return std::nullopt;
}

}  // namespace

std::optional<std::uint64_t> VerifyReport::first_bad_seq() const {
  std::optional<std::uint64_t> first;
  for (const VerifyProblem& problem : problems) {
    if (problem.seq && (!first || *problem.seq < *first)) first = problem.seq;
  }
  return first;
}

Result<VerifyReport> verify_log(AuditStore& store, const PublicKey& key, const VerifyOptions& options) {
  VerifyReport report;

  // 1. The chain of heads.
  ChainChecker chain(key, report.problems);
  if (auto status = store.read_tree_heads([&](const StoredTreeHead& head) {
        chain.add(head);
        return true;
      });
      !status) {
    return status.error();
  }
  if (auto status = chain.finish(store); !status) return status.error();
  report.tree_heads = chain.count();
  report.latest_head = chain.latest();

  Checkpoints checkpoints;
  checkpoints.want(0);
  for (const HeadSummary& head : chain.summaries()) checkpoints.want(head.tree_size);
  for (const SignedTreeHead& head : options.external_heads) checkpoints.want(head.tree_size);
  checkpoints.freeze();

  // 2. The entries, in sequence order, into a fresh tree.
  auto total = store.count_entries();
  if (!total) return total.error();
  std::vector<VerifyProblem> entry_problems;
  std::uint64_t more_entry_problems = 0;
  const auto note = [&](std::uint64_t seq, std::string text) {
    if (entry_problems.size() < max_entry_problems) {
      entry_problems.push_back({seq, std::move(text)});
    } else {
      ++more_entry_problems;
    }
  };
  MerkleFrontier frontier;
  std::uint64_t expected_seq = 0;
  checkpoints.observe(frontier);
  NodeChecker nodes(store);
  if (auto status = nodes.start(); !status) return status.error();
  Status node_status = Ok{};
  if (auto status = store.read_entries(0, UINT64_MAX, [&](const StoredEntry& stored) {
        const AuditEntry& entry = stored.entry;
        if (entry.seq != expected_seq) {
          note(expected_seq, "entry " + std::to_string(expected_seq) +
                                 (entry.seq == expected_seq + 1 ? " is missing (deleted)"
                                                                : " to " + std::to_string(entry.seq - 1) +
                                                                      " are missing (deleted)"));
        }
        const Hash leaf = entry_leaf_hash(entry);
        if (!stored.well_formed) {
          note(entry.seq, "entry " + std::to_string(entry.seq) + " is malformed (edited by hand)");
        } else if (leaf != stored.recorded_leaf_hash) {
          note(entry.seq, "entry " + std::to_string(entry.seq) +
                              " does not match the hash recorded when it was written (edited or moved)");
        }
        expected_seq = entry.seq + 1;
        frontier.append(leaf);
        checkpoints.observe(frontier);
        node_status = nodes.add(entry.seq, stored.well_formed ? stored.recorded_leaf_hash : leaf);
        if (options.progress && frontier.size() % progress_every == 0) options.progress(frontier.size(), *total);
        return node_status.ok();
      });
      !status) {
    return status.error();
  }
  if (!node_status) return node_status.error();
  report.entries = frontier.size();
  report.root = frontier.root();
  if (options.progress) options.progress(report.entries, *total);
  if (more_entry_problems > 0) {
    report.problems.push_back({std::nullopt, "and " + std::to_string(more_entry_problems) + " more altered entries"});
  }

  // 3. What is derived from the entries: the index a citizen's view reads, and the tree
  // nodes proofs read.
  auto index_problem = store.check_subject_index();
  if (!index_problem) return index_problem.error();
  if (*index_problem) report.problems.push_back({std::nullopt, "subject index: " + **index_problem});
  if (auto status = nodes.finish(report.problems); !status) return status.error();

  // 4. Every head's root against the recomputed tree.
  std::uint64_t last_good_size = 0;
  bool mismatch_reported = false;
  bool truncation_reported = false;
  std::uint64_t largest_size = 0;
  for (const HeadSummary& head : chain.summaries()) {
    largest_size = std::max(largest_size, head.tree_size);
    if (head.tree_size > report.entries) {
      if (!truncation_reported) {
        truncation_reported = true;
        report.problems.push_back({report.entries, "the log is truncated: a signed tree head covers " +
                                                       size_text(head.tree_size) + " entries, the log has " +
                                                       size_text(report.entries)});
      }
      continue;
    }
    if (checkpoints.root_at(head.tree_size) == head.root) {
      if (!mismatch_reported) last_good_size = std::max(last_good_size, head.tree_size);
      continue;
    }
    if (mismatch_reported) continue;
    mismatch_reported = true;
    const std::uint64_t seq =
        first_entry_problem(entry_problems, last_good_size, head.tree_size).value_or(last_good_size);
    report.problems.push_back({seq, "the entries do not match the signed tree head of size " +
                                        size_text(head.tree_size) + " (altered, inserted or reordered)"});
  }
  if (report.entries > largest_size) {
    report.problems.push_back({largest_size, "entries from seq " + size_text(largest_size) +
                                                 " on are not covered by any signed tree head (inserted)"});
  }

  // 5. Heads kept elsewhere.
  for (const SignedTreeHead& head : options.external_heads) {
    if (!verify_tree_head(head, key)) {
      report.problems.push_back({std::nullopt, "the given tree head of size " + size_text(head.tree_size) +
                                                   " is not validly signed by this key"});
    } else if (head.tree_size > report.entries) {
      report.problems.push_back({report.entries, "the log is truncated: the given tree head covers " +
                                                     size_text(head.tree_size) + " entries, the log has " +
                                                     size_text(report.entries)});
    } else if (checkpoints.root_at(head.tree_size) != head.root) {
      const std::uint64_t from = std::min(last_good_size, head.tree_size);
      const std::uint64_t seq = first_entry_problem(entry_problems, 0, head.tree_size).value_or(from);
      report.problems.push_back({seq, "the entries do not match the given tree head of size " +
                                          size_text(head.tree_size)});
    }
  }

  report.problems.insert(report.problems.end(), entry_problems.begin(), entry_problems.end());
  std::stable_sort(report.problems.begin(), report.problems.end(), [](const VerifyProblem& a, const VerifyProblem& b) {
    if (a.seq && b.seq) return *a.seq < *b.seq;
    return a.seq.has_value() && !b.seq.has_value();
  });
  return report;
}

}  // namespace pse::audit
