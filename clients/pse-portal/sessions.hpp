// Who is signed in, kept in the portal's memory only: a session is a random id in an HttpOnly
// cookie, never anything a browser could forge or read. A new id is made at each sign-in (no
// session fixation), a session ends after `idle` without a request or `max` after sign-in
// whichever comes first, and at sign-out. Sign-ins under way (state, nonce, PKCE verifier)
// are kept the same way, each taken once, for 10 minutes at most.
//
// Both tables are bounded: when full, the oldest entry goes first, so a flood of sign-in
// attempts cannot grow the portal's memory, only shorten the wait it allows.
#pragma once

#include <chrono>
#include <cstddef>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace pse::portal {

using Clock = std::chrono::steady_clock;

/// A delegate acting for the citizen who gave them a mandate, within its scope.
struct Acting {
  std::string mandator;    ///< the subject id of the citizen acted for
  std::string mandate_id;
  std::vector<std::string> categories, purposes;  ///< the mandate's scope
};

struct Session {
  std::string subject;  ///< the PSE subject id, from the verified ID token
  std::string name;     ///< for the greeting; may be empty
  std::string csrf;     ///< the token every form of this session carries
  Clock::time_point signed_in, last_seen;
  std::string receipt;  ///< the signed receipt of the session's last grant or revocation
  std::optional<Acting> acting;  ///< set while the citizen acts for someone else
};

struct PendingSignIn {
  std::string nonce;
  std::string code_verifier;
  std::string browser;  ///< the login cookie's value: the callback must come from the same browser
  Clock::time_point started;
  bool english = false;  ///< the language the sign-in started in
};

class SessionStore {
 public:
  SessionStore(std::chrono::minutes idle, std::chrono::minutes max, std::size_t capacity = 100000);

  /// A new session; returns its id (43 base64url characters).
  std::string open(std::string subject, std::string name, Clock::time_point now);
  /// The live session of `id`, its last_seen moved to `now`; std::nullopt when unknown or expired.
  std::optional<Session> find(std::string_view id, Clock::time_point now);
  void close(std::string_view id);
  /// Keeps `receipt` with the session, for the receipt page and its download.
  void remember_receipt(std::string_view id, std::string receipt);
  /// Starts (`acting`) or ends (std::nullopt) acting for someone else.
  void act_for(std::string_view id, std::optional<Acting> acting);
  std::size_t size() const;

  /// A sign-in under way, by its state.
  void begin(const std::string& state, PendingSignIn pending);
  /// The sign-in of `state`, removed; std::nullopt when unknown or older than 10 minutes.
  std::optional<PendingSignIn> finish(std::string_view state, Clock::time_point now);

  static constexpr auto kSignInLifetime = std::chrono::minutes(10);

 private:
  bool expired(const Session& session, Clock::time_point now) const;

  std::chrono::minutes idle_, max_;
  std::size_t capacity_;
  mutable std::mutex mutex_;
  std::unordered_map<std::string, Session> sessions_;
  std::multimap<Clock::time_point, std::string> by_start_;  ///< sessions by sign-in, to drop the oldest
  std::map<std::string, PendingSignIn, std::less<>> pending_;
};

}  // namespace pse::portal
