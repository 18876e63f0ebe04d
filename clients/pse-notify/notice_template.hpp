// Notification templates: the citizen-facing texts of a notice, in French and English, with
// named placeholders `((name))` filled from the notice's fields (GOV.UK Notify's syntax).
//
// Templates live in a YAML file (config/notify/templates.yaml) and are checked when it is
// loaded, so that a typo fails the start-up with the file and the line rather than a citizen's
// message:
//   - every `((name))` used in a text is declared in the template's `placeholders`;
//   - every declared placeholder is a field of the notice categories (classification.yaml);
//   - every declared placeholder appears in every language of every text body (a French text
//     that gives the amount and an English one that forgets it is a mistake);
//   - both languages are present; unknown keys are refused.
#pragma once

#include <filesystem>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

namespace pse::notify {

enum class Language { fr, en };

inline const char* to_string(Language language) { return language == Language::fr ? "fr" : "en"; }
std::optional<Language> language_from_string(const std::string& text);

struct LocalizedText {
  std::string fr;
  std::string en;
  const std::string& in(Language language) const { return language == Language::fr ? fr : en; }
};

struct EmailTemplate {
  LocalizedText subject;
  LocalizedText body;
  /// Subject in both languages ("Rappel … / Reminder …"), the citizen's language first.
  bool bilingual_subject = false;
  /// The whole message in French, then in English, whatever the citizen's language (access
  /// notices: the hub's own messages, French first as the Charter of the French language asks).
  bool bilingual_body = false;
};

/// The placeholder a list fills: one `item` text per entry (access digests), each escaped for
/// its channel. An SMS may leave it out (a list does not fit in one); it says how many instead.
inline constexpr const char* kItemsPlaceholder = "items";

struct NoticeTemplate {
  std::string id;
  /// The notice category this template serves, e.g. "notice.renewal_due".
  std::string category;
  /// A complementary-service suggestion: sent only with consent to `service_suggestions`.
  bool suggestion = false;
  std::vector<std::string> placeholders;
  /// Days before the due date at which reminders go out; absent: the category's setting.
  std::optional<std::vector<int>> offsets_days;
  std::optional<EmailTemplate> email;
  std::optional<LocalizedText> sms;
  /// One entry of ((items)), with its own placeholders.
  std::optional<LocalizedText> item;
  std::vector<std::string> item_placeholders;
  int line = 0;
};

/// The notice fields a template may use (ConfigError names file and line otherwise).
using KnownFields = std::set<std::string>;

/// The fields of the notice.* categories in config/classification.yaml, and the values shown
/// in access notices (notice.data_access, with access_count and items for the digest).
const KnownFields& notice_fields();

class TemplateSet {
 public:
  /// Loads and validates; throws ConfigError (file, line, reason).
  static TemplateSet load(const std::filesystem::path& file, const KnownFields& fields = notice_fields());

  const NoticeTemplate* find(const std::string& id) const;
  /// What the citizen reads for a code (a body's id, a purpose, a category, a field name):
  /// the `labels` table of the templates file, else the code itself.
  const std::string& label(const std::string& code, Language language) const;
  std::size_t size() const { return templates_.size(); }
  const std::filesystem::path& file() const { return file_; }
  /// The line of template `id` in its file (0 when unknown): for config errors elsewhere.
  int line_of(const std::string& id) const;

 private:
  std::map<std::string, NoticeTemplate> templates_;
  std::map<std::string, LocalizedText, std::less<>> labels_;
  std::filesystem::path file_;
};

/// The placeholder names used in `text`, in order, or the first syntax error.
struct PlaceholderScan {
  std::vector<std::string> names;
  std::string error;           ///< empty when the text is well formed
  std::size_t error_offset = 0;  ///< byte offset of the error in the text
};
PlaceholderScan scan_placeholders(const std::string& text);

}  // namespace pse::notify
