#include "sessions.hpp"

#include "oidc/pkce.hpp"

#include <algorithm>

namespace pse::portal {

SessionStore::SessionStore(std::chrono::minutes idle, std::chrono::minutes max, std::size_t capacity)
    : idle_(idle), max_(max), capacity_(std::max<std::size_t>(capacity, 1)) {}

bool SessionStore::expired(const Session& session, Clock::time_point now) const {
  return now - session.last_seen >= idle_ || now - session.signed_in >= max_;
}

std::string SessionStore::open(std::string subject, std::string name, Clock::time_point now) {
  std::string id = oidc::random_token();
  Session session{std::move(subject), std::move(name), oidc::random_token(), now, now, {}, std::nullopt};
  std::lock_guard lock(mutex_);
  while (sessions_.size() >= capacity_ && !by_start_.empty()) {
    sessions_.erase(by_start_.begin()->second);
    by_start_.erase(by_start_.begin());
  }
  by_start_.emplace(now, id);
  sessions_.emplace(id, std::move(session));
  return id;
}

std::optional<Session> SessionStore::find(std::string_view id, Clock::time_point now) {
  std::lock_guard lock(mutex_);
  const auto it = sessions_.find(std::string(id));
  if (it == sessions_.end()) return std::nullopt;
  if (expired(it->second, now)) {
    std::erase_if(by_start_, [&](const auto& entry) { return entry.second == it->first; });
    sessions_.erase(it);
    return std::nullopt;
  }
  it->second.last_seen = now;
  return it->second;
}

void SessionStore::close(std::string_view id) {
  std::lock_guard lock(mutex_);
  const auto it = sessions_.find(std::string(id));
  if (it == sessions_.end()) return;
  std::erase_if(by_start_, [&](const auto& entry) { return entry.second == it->first; });
  sessions_.erase(it);
}

void SessionStore::remember_receipt(std::string_view id, std::string receipt) {
  std::lock_guard lock(mutex_);
  const auto it = sessions_.find(std::string(id));
  if (it != sessions_.end()) it->second.receipt = std::move(receipt);
}

void SessionStore::act_for(std::string_view id, std::optional<Acting> acting) {
  std::lock_guard lock(mutex_);
  const auto it = sessions_.find(std::string(id));
  if (it != sessions_.end()) it->second.acting = std::move(acting);
}

std::size_t SessionStore::size() const {
  std::lock_guard lock(mutex_);
  return sessions_.size();
}

void SessionStore::begin(const std::string& state, PendingSignIn pending) {
  std::lock_guard lock(mutex_);
  std::erase_if(pending_, [&](const auto& entry) { return pending.started - entry.second.started >= kSignInLifetime; });
  // Sign-ins under way are cheaper to start than sessions: a smaller table.
  while (pending_.size() >= std::min<std::size_t>(capacity_, 10000)) {
    pending_.erase(std::min_element(pending_.begin(), pending_.end(), [](const auto& a, const auto& b) {
      return a.second.started < b.second.started;
    }));
  }
  pending_[state] = std::move(pending);
}

std::optional<PendingSignIn> SessionStore::finish(std::string_view state, Clock::time_point now) {
  std::lock_guard lock(mutex_);
  const auto it = pending_.find(state);
  if (it == pending_.end()) return std::nullopt;
  PendingSignIn pending = std::move(it->second);
  pending_.erase(it);
  if (now - pending.started >= kSignInLifetime) return std::nullopt;
  return pending;
}

}  // namespace pse::portal
