#include "broker/consent/consent_follower.hpp"

#include "base/config_error.hpp"
#include "base/log.hpp"
#include "store/pg_schema.hpp"

#include <poll.h>

#include <optional>
#include <string>
#include <thread>

namespace pse::consent {
namespace {

constexpr std::string_view kListen = "LISTEN pse_consent_changes";
constexpr std::int64_t kChangesPerRead = 1000;

std::int64_t steady_ns() {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(std::chrono::steady_clock::now().time_since_epoch())
      .count();
}

// Heartbeats and progress marks need not survive a crash: a restarted broker registers anew.
PgConnection connect_for_heartbeats(PgConnectOptions options) {
  options.durable_commits = false;
  return store::connect_migrated_or_throw(options);
}

Error unavailable(const std::string& message) { return make_error(Reason::store_unavailable, message); }

}  // namespace

PgResult<std::int64_t> ConsentFollower::last_change(PgConnection& connection) {
  auto rows = connection.query("SELECT coalesce(max(change_id), 0) FROM consent_changes");
  if (!rows) return rows.error();
  return rows->integer(0, 0);
}

ConsentFollower::ConsentFollower(const PgConnectOptions& options, ConsentRegistry& registry, std::int64_t applied,
                                 FollowerOptions follower_options)
    : registry_(registry),
      options_(std::move(follower_options)),
      listener_(connect_for_heartbeats(options)),
      waiter_(connect_for_heartbeats(options)),
      applied_(applied) {
  if (auto listening = listener_.execute_script(kListen); !listening) {
    throw ConfigError("store.conninfo", 0, listening.error().message);
  }
  // The first round registers this broker and catches up; serving starts only after it.
  if (!follow_round()) throw ConfigError("store.conninfo", 0, "cannot follow the consent changes");
  thread_ = std::thread([this] { run(); });
}

ConsentFollower::~ConsentFollower() {
  stopping_ = true;
  if (thread_.joinable()) thread_.join();
  // Gone at once from what revocations wait for, instead of after its lease.
  std::lock_guard lock(waiter_mutex_);
  if (waiter_.is_open()) {
    (void)waiter_.execute("DELETE FROM brokers WHERE broker_id = $1", PgParams().text(options_.broker_id));
  }
}

bool ConsentFollower::current() const {
  const auto age = std::chrono::nanoseconds(steady_ns() - last_round_start_ns_.load());
  return age < options_.lease;
}

void ConsentFollower::run() {
  bool healthy = true;
  while (!stopping_) {
    // A NOTIFY wakes the round at once; without one, the poll interval is the heartbeat.
    pollfd wait{listener_.socket(), POLLIN, 0};
    if (wait.fd >= 0) {
      (void)::poll(&wait, 1, static_cast<int>(options_.poll_interval.count()));
      if ((wait.revents & POLLIN) != 0) (void)listener_.poll_notifications();
    } else {
      std::this_thread::sleep_for(options_.poll_interval);
    }
    if (stopping_) break;
    const bool ok = follow_round();
    if (ok != healthy) {
      healthy = ok;
      if (ok) {
        log::info("consent changes followed again", {{"applied", applied_.load()}});
      } else {
        log::error("cannot follow the consent changes; consent checks fail closed once the lease ends",
                   {{"lease_ms", options_.lease.count()}});
      }
    }
  }
}

bool ConsentFollower::follow_round() {
  // Timed from before the read: whatever was committed before this instant is applied when
  // the round succeeds, and the heartbeat written below is never older than it.
  const std::int64_t started = steady_ns();
  if (!listener_.is_open()) {
    if (!listener_.reconnect() || !listener_.execute_script(kListen)) return false;
  }
  while (true) {
    auto changes = listener_.query(
        "SELECT change_id, kind, record_id FROM consent_changes WHERE change_id > $1 ORDER BY change_id LIMIT $2",
        PgParams().integer(applied_.load()).integer(kChangesPerRead));
    if (!changes) return false;
    for (int row = 0; row < changes->size(); ++row) {
      const std::string_view kind = changes->text(row, 1);
      const std::string_view id = changes->text(row, 2);
      const Status refreshed = kind == "mandate" ? registry_.refresh_mandate(id) : registry_.refresh_consent(id);
      if (!refreshed) return false;
      applied_ = changes->integer(row, 0);
    }
    if (changes->size() < kChangesPerRead) break;
  }
  auto beat = listener_.execute(
      "INSERT INTO brokers (broker_id, applied_change, heartbeat_at) VALUES ($1, $2, now()) "
      "ON CONFLICT (broker_id) DO UPDATE SET applied_change = EXCLUDED.applied_change, heartbeat_at = now()",
      PgParams().text(options_.broker_id).integer(applied_.load()));
  if (!beat) return false;
  // Rows of brokers killed without deregistering are forgotten after an hour, now and then.
  if (++rounds_ % 1000 == 0) {
    (void)listener_.execute_script("DELETE FROM brokers WHERE heartbeat_at < clock_timestamp() - interval '1 hour'");
  }
  last_round_start_ns_ = started;
  return true;
}

// The change is already committed when this runs. A connection lost on the way (the primary
// failed over since the waiter last ran) is opened again until the deadline, so that a
// recorded change is not answered as a failure only because this connection was stale.
Status ConsentFollower::wait_until_applied_everywhere() {
  std::lock_guard lock(waiter_mutex_);
  const auto live_for = options_.lease + options_.lease_margin;
  const auto deadline = std::chrono::steady_clock::now() + options_.propagation_timeout;
  std::optional<std::int64_t> target;
  std::string last_error;
  auto failed = [&last_error](const PgError& error) {
    last_error = error.message;
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  };
  while (std::chrono::steady_clock::now() < deadline) {
    if (!waiter_.is_open()) {
      if (auto reconnected = waiter_.reconnect(); !reconnected) {
        failed(reconnected.error());
        continue;
      }
    }
    if (!target) {
      auto change = last_change(waiter_);
      if (!change) {
        failed(change.error());
        continue;
      }
      target = *change;
    }
    auto behind = waiter_.query(
        "SELECT count(*) FROM brokers WHERE applied_change < $1 "
        "AND heartbeat_at > clock_timestamp() - $2 * interval '1 millisecond'",
        PgParams().integer(*target).integer(live_for.count()));
    if (!behind) {
      failed(behind.error());
      continue;
    }
    if (behind->integer(0, 0) == 0) return Done{};
    std::this_thread::sleep_for(std::chrono::milliseconds(2));
  }
  return unavailable(last_error.empty()
                         ? "recorded, but not every broker has applied it yet; it is not in force everywhere"
                         : "recorded, but whether every broker has applied it is unknown: " + last_error);
}

}  // namespace pse::consent
