// Québec civil time, reminder planning and the durable schedule.
#include "quebec_time.hpp"
#include "rate_limiter.hpp"
#include "schedule_store.hpp"
#include "send_plan.hpp"

#include "support/temp_dir.hpp"

#include <gtest/gtest.h>

#include <sys/stat.h>

namespace pse::notify {
namespace {

using namespace std::chrono;
using pse::testing::TempDir;

Instant utc(const std::string& text) {  // "YYYY-MM-DDTHH:MM"
  const auto date = parse_date(text.substr(0, 10));
  const auto minutes_of_day = parse_minutes(text.substr(11, 5));
  return Instant(sys_days(*date).time_since_epoch() + minutes(*minutes_of_day));
}

TEST(NotifyTime, QuebecOffsetsFollowDaylightTime) {
  EXPECT_EQ(format_utc(from_quebec_time(local_days(2026y / January / 15) + hours(10))), "2026-01-15T15:00:00Z");
  EXPECT_EQ(format_utc(from_quebec_time(local_days(2026y / July / 15) + hours(10))), "2026-07-15T14:00:00Z");
  // 2026: daylight time from Sunday 8 March 02:00 to Sunday 1 November 02:00.
  EXPECT_EQ(format_utc(from_quebec_time(local_days(2026y / March / 8) + hours(1) + minutes(59))), "2026-03-08T06:59:00Z");
  EXPECT_EQ(format_utc(from_quebec_time(local_days(2026y / March / 8) + hours(3))), "2026-03-08T07:00:00Z");
  EXPECT_EQ(format_utc(from_quebec_time(local_days(2026y / November / 1) + hours(2))), "2026-11-01T07:00:00Z");
  EXPECT_EQ(to_quebec_time(utc("2026-11-01T05:59")), local_days(2026y / November / 1) + hours(1) + minutes(59));
  EXPECT_EQ(to_quebec_time(utc("2026-11-01T06:00")), local_days(2026y / November / 1) + hours(1));
  EXPECT_EQ(to_quebec_time(utc("2026-03-08T07:00")), local_days(2026y / March / 8) + hours(3));
}

TEST(NotifyTime, ParsingRefusesNonsense) {
  EXPECT_FALSE(parse_date("2026-02-30"));
  EXPECT_FALSE(parse_date("2026-1-05"));
  EXPECT_FALSE(parse_date("2026-01-05x"));
  EXPECT_TRUE(parse_date("2028-02-29"));
  EXPECT_FALSE(parse_minutes("24:00"));
  EXPECT_FALSE(parse_minutes("9:00"));
  EXPECT_EQ(parse_minutes("21:30"), 21 * 60 + 30);
}

TEST(NotifyPlan, RemindersAtTheHourOfSendingBeforeTheDueDate) {
  const auto plan = plan_reminders(2026y / December / 10, {7, 30}, 10 * 60, utc("2026-11-02T12:00"), std::nullopt);
  ASSERT_EQ(plan.size(), 2u);
  EXPECT_EQ(plan[0].offset_days, 30);
  EXPECT_EQ(format_utc(plan[0].at), "2026-11-10T15:00:00Z");  // 10:00 EST
  EXPECT_EQ(plan[1].offset_days, 7);
  EXPECT_EQ(format_utc(plan[1].at), "2026-12-03T15:00:00Z");
}

TEST(NotifyPlan, PastRemindersCollapseIntoOneNow) {
  const Instant now = utc("2026-12-05T16:00");
  const auto late = plan_reminders(2026y / December / 10, {30, 7}, 600, now, std::nullopt);
  ASSERT_EQ(late.size(), 1u);
  EXPECT_EQ(late[0].offset_days, 7);
  EXPECT_EQ(late[0].at, now);
  // Only the future one when one is still ahead.
  const auto one = plan_reminders(2026y / December / 10, {30, 7}, 600, utc("2026-11-20T12:00"), std::nullopt);
  ASSERT_EQ(one.size(), 1u);
  EXPECT_EQ(one[0].offset_days, 7);
  // Nothing for a due date already gone.
  EXPECT_TRUE(plan_reminders(2026y / December / 4, {30, 7}, 600, now, std::nullopt).empty());
}

TEST(NotifyPlan, QuietHoursMoveASendToTheirEnd) {
  const QuietHours morning{9 * 60, 12 * 60};
  EXPECT_EQ(format_utc(outside_quiet_hours(utc("2026-11-10T15:00"), morning)), "2026-11-10T17:00:00Z");
  EXPECT_EQ(outside_quiet_hours(utc("2026-11-10T17:00"), morning), utc("2026-11-10T17:00"));
  const QuietHours night{21 * 60, 8 * 60};  // wraps midnight
  EXPECT_EQ(format_utc(outside_quiet_hours(utc("2026-11-11T03:30"), night)), "2026-11-11T13:00:00Z");  // 22:30 → 08:00
  EXPECT_EQ(format_utc(outside_quiet_hours(utc("2026-11-11T10:00"), night)), "2026-11-11T13:00:00Z");  // 05:00 → 08:00
  EXPECT_EQ(outside_quiet_hours(utc("2026-11-11T14:00"), night), utc("2026-11-11T14:00"));
  EXPECT_EQ(outside_quiet_hours(utc("2026-11-11T14:00"), QuietHours{600, 600}), utc("2026-11-11T14:00"));
  const auto plan = plan_reminders(2026y / December / 10, {30}, 10 * 60, utc("2026-11-02T12:00"), morning);
  ASSERT_EQ(plan.size(), 1u);
  EXPECT_EQ(format_utc(plan[0].at), "2026-11-10T17:00:00Z");
}

TEST(NotifyLimits, PerMinuteAndPerDayPerBody) {
  int restarts = 0;
  RateLimiter limiter({2, 3}, {{"saaq", {10, 100}}}, [&](const std::string& body, Instant) {
    ++restarts;
    return body == "ramq" ? 1 : 0;  // one RAMQ notice accepted earlier today, before a restart
  });
  const Instant t = utc("2026-11-10T15:00");
  EXPECT_EQ(limiter.admit("ramq", t), "");
  EXPECT_EQ(limiter.admit("ramq", t), "");
  EXPECT_EQ(limiter.admit("ramq", t + seconds(61)), "daily_limit_exceeded");
  EXPECT_EQ(limiter.admit("revenu-quebec", t), "");
  EXPECT_EQ(limiter.admit("revenu-quebec", t), "");
  EXPECT_EQ(limiter.admit("revenu-quebec", t + seconds(10)), "rate_limited");
  EXPECT_EQ(limiter.admit("revenu-quebec", t + seconds(60)), "");
  for (int i = 0; i < 10; ++i) EXPECT_EQ(limiter.admit("saaq", t), "");
  EXPECT_EQ(limiter.admit("saaq", t), "rate_limited");
  EXPECT_EQ(limiter.admit("ramq", utc("2026-11-11T15:00")), "");  // a new day in Québec
  EXPECT_EQ(restarts, 4);
}

NoticeRow notice(const std::string& id) {
  return {id, "saaq", "notice.renewal_due", "QC-1", "renewal-reminder", "{}", utc("2026-11-02T12:00"), "accepted", ""};
}

SendRow send(const std::string& channel, Instant at) {
  SendRow s;
  s.template_id = "renewal-reminder";
  s.purpose = "citizen_notification";
  s.channel = channel;
  s.offset_days = 30;
  s.next_attempt_at = at;
  return s;
}

TEST(NotifyStore, ANoticeIsRecordedOnceAndItsSendsComeDueInOrder) {
  TempDir dir;
  ScheduleStore store(dir / "notify.db");
  const Instant at = utc("2026-11-10T15:00");
  ASSERT_TRUE(store.insert_notice(notice("evt_1"), {send("email", at), send("sms", at + minutes(1))},
                                  {StatusRow{0, "saaq", "QC-1", "k1", "{}"}}));
  EXPECT_FALSE(store.insert_notice(notice("evt_1"), {send("email", at)}, {}));  // a repeated delivery
  EXPECT_EQ(store.sends_of("evt_1").size(), 2u);
  EXPECT_TRUE(store.due(at - seconds(1), 10).empty());
  EXPECT_EQ(store.next_due(), at);
  auto due = store.due(at + minutes(5), 10);
  ASSERT_EQ(due.size(), 2u);
  EXPECT_EQ(due[0].send.channel, "email");
  EXPECT_EQ(due[0].notice.subject, "QC-1");
  EXPECT_TRUE(store.claim(due[0].send.id, at));
  EXPECT_FALSE(store.claim(due[0].send.id, at));  // taken
  EXPECT_EQ(store.pending_statuses(10).size(), 1u);
}

TEST(NotifyStore, SurvivesRestartAndKnowsWhatWasInterrupted) {
  TempDir dir;
  const Instant at = utc("2026-11-10T15:00");
  std::int64_t claimed = 0;
  {
    ScheduleStore store(dir / "notify.db");
    ASSERT_TRUE(store.insert_notice(notice("evt_2"), {send("email", at), send("sms", at)}, {}));
    claimed = store.due(at, 10)[0].send.id;
    ASSERT_TRUE(store.claim(claimed, at));
  }  // the process dies here, between "sending" and the answer
  ScheduleStore reopened(dir / "notify.db");
  auto interrupted = reopened.interrupted();
  ASSERT_EQ(interrupted.size(), 1u);
  EXPECT_EQ(interrupted[0].send.id, claimed);
  const auto still_due = reopened.due(at, 10);
  ASSERT_EQ(still_due.size(), 1u);  // the other send, never started, is still due
  EXPECT_NE(still_due[0].send.id, claimed);
  EXPECT_FALSE(reopened.insert_notice(notice("evt_2"), {send("email", at)}, {}));
}

unsigned mode_of(const std::filesystem::path& file) {
  struct stat info {};
  if (::stat(file.c_str(), &info) != 0) return 01000;  // not there
  return static_cast<unsigned>(info.st_mode & 0777);
}

TEST(NotifyStore, TheDatabaseAndItsWalAreOwnerOnlyWhateverTheUmask) {
  TempDir dir;
  const mode_t previous = ::umask(0);
  {
    ScheduleStore store(dir / "var" / "notify.db");
    // A write, so that the WAL and its index exist.
    ASSERT_TRUE(store.insert_notice(notice("evt_3"), {send("email", utc("2026-11-10T15:00"))}, {}));
    EXPECT_EQ(mode_of(dir / "var" / "notify.db"), 0600U);
    EXPECT_EQ(mode_of(dir / "var" / "notify.db-wal"), 0600U);
    EXPECT_EQ(mode_of(dir / "var" / "notify.db-shm"), 0600U);
    EXPECT_EQ(mode_of(dir / "var"), 0700U) << "the folder it made";
  }
  ::umask(previous);
}

TEST(NotifyStore, ADatabaseLeftReadableByOthersIsMadeOwnerOnly) {
  TempDir dir;
  { ScheduleStore store(dir / "notify.db"); }
  ::chmod((dir / "notify.db").c_str(), 0644);
  ScheduleStore reopened(dir / "notify.db");
  EXPECT_EQ(mode_of(dir / "notify.db"), 0600U);
  EXPECT_EQ(reopened.sends_of("evt_none").size(), 0u);
}

}  // namespace
}  // namespace pse::notify
