// The configured query's text checks fed mutated and random queries, bounded in time: they
// never crash or read past the text, never count more parameters than there are question
// marks, and count exactly those of a query without quotes, comments or semicolons.
#include "adapters/sql/sql_text.hpp"

#include "mutator.hpp"

#include <gtest/gtest.h>

#include <algorithm>

namespace pse::adapters::sql {
namespace {

using namespace std::chrono_literals;

TEST(SqlTextFuzz, MutatedQueries) {
  const std::vector<std::string> seeds = {
      "SELECT nom FROM citoyen WHERE nas = ?",
      "-- lookup\nWITH x AS (SELECT * FROM t WHERE k = ?) SELECT a FROM x;",
      "SELECT 'a?b', \"q?\" FROM t /* ? */ WHERE k = ? -- ?\n;",
  };
  testing::Mutator mutator(20261207, {"?", "'", "\"", "--", "/*", "*/", ";", "\n", " ", "SELECT", "WITH", "''", "?;?"});
  const int runs = testing::run_for(2s, 200000, [&](int) {
    const std::string query = mutator.mutate(seeds[static_cast<std::size_t>(mutator.pick(3))]);
    const int marks = question_marks_in_single_statement(query);
    ASSERT_GE(marks, -1);
    ASSERT_LE(marks, static_cast<int>(std::count(query.begin(), query.end(), '?')));
    (void)starts_as_select(query);
    ASSERT_LE(skip_blanks_and_comments(query).size(), query.size());
  });
  EXPECT_GT(runs, 100);
}

TEST(SqlTextFuzz, PlainQueriesCountEveryQuestionMark) {
  testing::Mutator mutator(11, {"?", " ", "a", "=", "(", ")", ",", "1", "SELECT", "AND"});
  const int runs = testing::run_for(1s, 100000, [&](int) {
    const std::string query = "SELECT " + mutator.random_input(120);
    if (query.find_first_of("'\";-/") != std::string::npos) return;
    ASSERT_EQ(question_marks_in_single_statement(query), static_cast<int>(std::count(query.begin(), query.end(), '?')))
        << query;
  });
  EXPECT_GT(runs, 100);
}

}  // namespace
}  // namespace pse::adapters::sql
