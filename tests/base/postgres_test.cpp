// The libpq wrapper against the test run's real PostgreSQL: parameters and bytes both ways,
// COPY with every character COPY escapes, notifications, refusals, and a lost connection.
#include "base/postgres.hpp"

#include "support/pg_test_database.hpp"

#include <gtest/gtest.h>

#include <string>
#include <thread>
#include <vector>

namespace pse {
namespace {

PgConnection connect(const PgConnectOptions& options) {
  auto connection = PgConnection::connect(options);
  if (!connection) throw std::runtime_error(connection.error().message);
  return std::move(connection).value();
}

TEST(Postgres, ParametersAndBytesRoundTrip) {
  PgConnection db = connect(testing::fresh_pg_schema());
  ASSERT_TRUE(db.execute_script("CREATE TABLE t (n bigint, s text, b bytea)").ok());
  const std::string bytes("\x00\x01\xff\\x00'\"", 8);
  ASSERT_TRUE(db.execute("INSERT INTO t VALUES ($1, $2, $3)",
                         PgParams().integer(-42).text("l'été\tà Québec").bytes(bytes)).ok());
  ASSERT_TRUE(db.execute("INSERT INTO t VALUES ($1, $2, $3)", PgParams().integer(7).null().null()).ok());
  auto rows = db.query("SELECT n, s, b FROM t ORDER BY n");
  ASSERT_TRUE(rows) << rows.error().message;
  ASSERT_EQ(rows->size(), 2);
  EXPECT_EQ(rows->integer(0, 0), -42);
  EXPECT_EQ(rows->text(0, 1), "l'été\tà Québec");
  EXPECT_EQ(rows->bytes(0, 2), bytes);
  EXPECT_TRUE(rows->is_null(1, 1));
  EXPECT_FALSE(rows->hash(0, 2).has_value());  // not 32 bytes
  auto updated = db.query("UPDATE t SET n = n + 1");
  ASSERT_TRUE(updated);
  EXPECT_EQ(updated->affected(), 2U);
}

TEST(Postgres, TextArraysKeepQuotesBackslashesCommasAndEmptyStrings) {
  PgConnection db = connect(testing::fresh_pg_schema());
  const std::vector<std::string> values{"plain", "with \"quotes\", commas", "back\\slash", "", "NULL", "{braces}", "été"};
  auto rows = db.query("SELECT v FROM unnest($1::text[]) WITH ORDINALITY AS t(v, n) ORDER BY n",
                       PgParams().text_array(values));
  ASSERT_TRUE(rows) << rows.error().message;
  ASSERT_EQ(rows->size(), static_cast<int>(values.size()));
  for (int i = 0; i < rows->size(); ++i) {
    EXPECT_FALSE(rows->is_null(i, 0));
    EXPECT_EQ(rows->text(i, 0), values[static_cast<std::size_t>(i)]);
  }
  auto none = db.query("SELECT cardinality($1::text[])", PgParams().text_array({}));
  ASSERT_TRUE(none);
  EXPECT_EQ(none->integer(0, 0), 0);
}

TEST(Postgres, CopyInEscapesWhatCopyWouldMisread) {
  PgConnection db = connect(testing::fresh_pg_schema());
  ASSERT_TRUE(db.execute_script("CREATE TABLE t (s text, b bytea, h bytea)").ok());
  const std::string tricky = "tab\there\nnew line\\backslash\r\\N";
  const Hash hash = sha256("x");
  std::string data = copy_escape_text(tricky) + "\t" + copy_bytes(as_bytes(std::string_view("\0\t\n", 3))) + "\t" +
                     copy_bytes(hash) + "\n";
  ASSERT_TRUE(db.copy_in("t (s, b, h)", data).ok());
  auto rows = db.query("SELECT s, b, h FROM t");
  ASSERT_TRUE(rows);
  ASSERT_EQ(rows->size(), 1);
  EXPECT_EQ(rows->text(0, 0), tricky);
  EXPECT_EQ(rows->bytes(0, 1), std::string("\0\t\n", 3));
  EXPECT_EQ(rows->hash(0, 2), hash);
  // A row COPY refuses fails the whole COPY, and the connection stays usable.
  EXPECT_FALSE(db.copy_in("t (s, b, h)", "only one field\n").ok());
  EXPECT_TRUE(db.query("SELECT 1").ok());
}

TEST(Postgres, ErrorsCarryTheServersMessageAndState) {
  PgConnection db = connect(testing::fresh_pg_schema());
  ASSERT_TRUE(db.execute_script("CREATE TABLE t (k text PRIMARY KEY)").ok());
  ASSERT_TRUE(db.execute("INSERT INTO t VALUES ($1)", PgParams().text("a")).ok());
  const auto duplicate = db.execute("INSERT INTO t VALUES ($1)", PgParams().text("a"));
  ASSERT_FALSE(duplicate.ok());
  EXPECT_EQ(duplicate.error().sqlstate, kPgUniqueViolation);
  EXPECT_FALSE(duplicate.error().connection_lost);
  const auto syntax = db.query("SELEC 1");
  ASSERT_FALSE(syntax.ok());
  EXPECT_NE(syntax.error().message.find("syntax error"), std::string::npos);
}

TEST(Postgres, AWrongPasswordOrServerIsAClearError) {
  PgConnectOptions options = testing::fresh_pg_schema();
  options.password = "not-the-password";
  const auto refused = PgConnection::connect(options);
  ASSERT_FALSE(refused.ok());
  EXPECT_NE(refused.error().message.find("password authentication failed"), std::string::npos)
      << refused.error().message;
  options = testing::fresh_pg_schema();
  options.conninfo = "host=127.0.0.1 port=1 dbname=pse user=pse";
  options.connect_timeout = std::chrono::seconds(2);
  const auto unreachable = PgConnection::connect(options);
  ASSERT_FALSE(unreachable.ok());
  EXPECT_TRUE(unreachable.error().connection_lost);
  EXPECT_NE(unreachable.error().message.find("cannot connect to PostgreSQL"), std::string::npos);
}

TEST(Postgres, ConnectionStringsWithAPasswordOrUnparsableAreRefused) {
  EXPECT_FALSE(check_pg_conninfo("host=db dbname=pse user=pse").has_value());
  EXPECT_FALSE(check_pg_conninfo("postgresql://pse@db/pse?sslmode=verify-full").has_value());
  const auto with_password = check_pg_conninfo("host=db user=pse password=hunter2");
  ASSERT_TRUE(with_password.has_value());
  EXPECT_NE(with_password->find("password_file"), std::string::npos);
  EXPECT_TRUE(check_pg_conninfo("postgresql://pse:hunter2@db/pse").has_value());
  EXPECT_TRUE(check_pg_conninfo("host=db 'unterminated").has_value());
  EXPECT_TRUE(check_pg_conninfo("nonsense_key=1").has_value());
}

TEST(Postgres, NotificationsArriveOnTheListeningConnection) {
  const PgConnectOptions options = testing::fresh_pg_schema();
  PgConnection listener = connect(options);
  PgConnection sender = connect(options);
  ASSERT_TRUE(listener.execute_script("LISTEN pse_test").ok());
  ASSERT_TRUE(sender.execute_script("NOTIFY pse_test, 'hello'").ok());
  std::vector<PgNotification> received;
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
  while (received.empty() && std::chrono::steady_clock::now() < deadline) {
    auto polled = listener.poll_notifications();
    ASSERT_TRUE(polled) << polled.error().message;
    received = std::move(polled).value();
    if (received.empty()) std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  ASSERT_EQ(received.size(), 1U);
  EXPECT_EQ(received[0].channel, "pse_test");
  EXPECT_EQ(received[0].payload, "hello");
}

TEST(Postgres, ALostConnectionSaysSoAndReconnects) {
  const PgConnectOptions options = testing::fresh_pg_schema();
  PgConnection db = connect(options);
  auto pid = db.query("SELECT pg_backend_pid()");
  ASSERT_TRUE(pid);
  const std::string backend(pid->text(0, 0));
  PgConnection admin = connect(options);
  ASSERT_TRUE(admin.execute("SELECT pg_terminate_backend($1::int)", PgParams().text(backend)).ok());
  const auto lost = db.query("SELECT 1");
  ASSERT_FALSE(lost.ok());
  EXPECT_TRUE(lost.error().connection_lost);
  EXPECT_FALSE(db.is_open());
  ASSERT_TRUE(db.reconnect().ok());
  auto again = db.query("SELECT 1");  // prepared again on the new session
  ASSERT_TRUE(again) << again.error().message;
  EXPECT_EQ(again->integer(0, 0), 1);
}

}  // namespace
}  // namespace pse
