// Services Québec's store of the citizens' contact preferences: one SQLite file (portal.yaml
// preferences_db), one row per subject. The portal's pages write it; its provider connection
// reads it to answer the broker (contact.preferences, for pse-notify).
//
// The subject id is stored as the broker hands it to a provider, in clear: the provider is
// asked by subject, and a keyed hash would need a key this portal does not have. The file is
// created owner-only. One connection, behind a mutex: the web server's threads and the
// provider's handler threads share it, and every statement is a single-row lookup or upsert.
#pragma once

#include "preferences_form.hpp"

#include "base/sqlite.hpp"

#include <pse/result.hpp>

#include <boost/json/object.hpp>

#include <filesystem>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

namespace pse::portal {

class PreferencesStore {
 public:
  /// Opens (creating) the file and its table; throws std::runtime_error naming the file.
  explicit PreferencesStore(const std::filesystem::path& file);

  /// The subject's saved preferences; nullopt when they have saved none. store_unavailable on failure.
  Result<std::optional<ContactPreferences>> find(const std::string& subject);
  /// Replaces the subject's preferences (already checked by read_preferences_form).
  Status save(const std::string& subject, const ContactPreferences& preferences);

  /// The record for the broker: the fields among `fields`, empty ones left out (pse-notify reads
  /// an absent field as not given); record_not_found when the subject saved none.
  Result<boost::json::object> record(const std::string& subject, const std::vector<std::string>& fields);

 private:
  std::mutex mutex_;
  SqliteDatabase database_;
};

}  // namespace pse::portal
