// The admin listener's bearer token: a secret file (chmod 600) whose content the state-changing
// admin routes require as `Authorization: Bearer <token>`. The file is read again at each check,
// so an operator rotates the token by rewriting the file, without a restart.
#pragma once

#include <filesystem>
#include <string_view>

namespace pse::broker {

class AdminToken {
 public:
  /// Tokens shorter than this are refused: guessing must be out of reach (openssl rand -hex 32).
  static constexpr std::size_t kMinimumLength = 32;

  /// An empty path means no token: every check fails, state-changing routes are off.
  explicit AdminToken(std::filesystem::path file);

  bool configured() const { return !file_.empty(); }

  /// Throws pse::ConfigError when the file is unreadable, readable by group or others, or too
  /// short. Called at start-up, so that a bad token file stops the broker with exit code 2.
  void check_file() const;

  /// True when `presented` is the token. Compares SHA-256 digests in constant time, so that
  /// neither the token's bytes nor its length leak through timing. False when the file has
  /// become unreadable or too open since start-up (logged).
  bool matches(std::string_view presented) const;

 private:
  std::filesystem::path file_;
};

}  // namespace pse::broker
