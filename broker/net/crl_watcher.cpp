#include "broker/net/crl_watcher.hpp"

#include "base/log.hpp"
#include "policy/instant.hpp"

#include <boost/asio/post.hpp>
#include <boost/asio/strand.hpp>

#include <sys/stat.h>

namespace pse::broker {
namespace asio = boost::asio;
using std::chrono::system_clock;

CrlWatcher::CrlWatcher(asio::io_context& io, std::filesystem::path file, std::chrono::milliseconds interval,
                       Reload reload, NextUpdate next_update)
    : file_(std::move(file)),
      interval_(interval),
      reload_(std::move(reload)),
      next_update_(std::move(next_update)),
      timer_(asio::make_strand(io)),
      // Taken before the broker loads the CRL (it is built first), so that a change made
      // between that load and start() is seen, not taken for the version in force.
      version_(look()) {}

// stat() follows a symbolic link, so a swapped link is a new version too.
CrlWatcher::FileVersion CrlWatcher::look() const {
  struct stat info {};
  if (::stat(file_.c_str(), &info) != 0) return {};
  return {true, static_cast<std::uint64_t>(info.st_dev), static_cast<std::uint64_t>(info.st_ino),
          static_cast<std::int64_t>(info.st_size),
          static_cast<std::int64_t>(info.st_mtim.tv_sec) * 1'000'000'000 + info.st_mtim.tv_nsec};
}

void CrlWatcher::start() {
  asio::post(timer_.get_executor(), [this] {
    warn_if_expiring();
    schedule();
  });
}

void CrlWatcher::stop() {
  asio::post(timer_.get_executor(), [this] { timer_.cancel(); });
}

void CrlWatcher::schedule() {
  timer_.expires_after(interval_);
  timer_.async_wait([this](boost::system::error_code ec) {
    if (ec) return;
    tick();
    schedule();
  });
}

// A changed file is reloaded once; a bad one keeps the CRL in force and is not tried again
// until it changes once more, so its error is logged once.
void CrlWatcher::tick() {
  const FileVersion now = look();
  if (now != version_) {
    version_ = now;
    log::info("CRL file changed, reloading", {{"crl", file_.string()}});
    if (reload_()) {
      reloads_applied_.fetch_add(1, std::memory_order_relaxed);
    } else {
      reloads_failed_.fetch_add(1, std::memory_order_relaxed);
    }
  }
  warn_if_expiring();
}

void CrlWatcher::warn_if_expiring() {
  const auto next_update = next_update_();
  if (!next_update) return;
  const auto left = *next_update - system_clock::now();
  if (left >= kWarnBefore) {
    last_warning_.reset();  // a fresh CRL: warn again at once when this one runs low
    return;
  }
  const auto now = std::chrono::steady_clock::now();
  if (last_warning_ && now - *last_warning_ < kWarnEvery) return;
  last_warning_ = now;
  const std::string at = policy::format_instant(std::chrono::time_point_cast<std::chrono::seconds>(*next_update));
  if (left <= system_clock::duration::zero()) {
    log::error("CRL expired: every client certificate is refused until a new CRL is published",
               {{"crl", file_.string()}, {"next_update", at}, {"action", "pse-pki crl --dir <CA directory>"}});
  } else {
    log::warn("CRL expires soon: every client certificate will be refused after next_update",
              {{"crl", file_.string()},
               {"next_update", at},
               {"hours_left", std::chrono::duration_cast<std::chrono::hours>(left).count()},
               {"action", "pse-pki crl --dir <CA directory>"}});
  }
}

std::string CrlWatcher::prometheus() const {
  std::string out =
      "# HELP pse_crl_next_update_seconds Seconds until the CRL in force reaches its nextUpdate; below zero, "
      "every client certificate is refused.\n"
      "# TYPE pse_crl_next_update_seconds gauge\n";
  if (const auto next_update = next_update_()) {
    const auto left = std::chrono::duration_cast<std::chrono::seconds>(*next_update - system_clock::now());
    out += "pse_crl_next_update_seconds " + std::to_string(left.count()) + "\n";
  } else {
    out += "pse_crl_next_update_seconds +Inf\n";
  }
  out += "# HELP pse_crl_reloads_total Reloads started by a change of the CRL file, by result.\n"
         "# TYPE pse_crl_reloads_total counter\n";
  out += "pse_crl_reloads_total{result=\"applied\"} " + std::to_string(reloads_applied_.load()) + "\n";
  out += "pse_crl_reloads_total{result=\"failed\"} " + std::to_string(reloads_failed_.load()) + "\n";
  return out;
}

}  // namespace pse::broker
