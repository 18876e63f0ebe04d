#include "preferences_form.hpp"

#include <algorithm>
#include <optional>

namespace pse::portal {
namespace {

std::string trimmed(std::string_view text) {
  while (!text.empty() && (text.front() == ' ' || text.front() == '\t')) text.remove_prefix(1);
  while (!text.empty() && (text.back() == ' ' || text.back() == '\t')) text.remove_suffix(1);
  return std::string(text);
}

std::string posted_value(const std::map<std::string, std::string>& posted, const char* name) {
  const auto found = posted.find(name);
  return found == posted.end() ? std::string() : trimmed(found->second);
}

bool is_digit(char c) { return c >= '0' && c <= '9'; }

// "21:00", "9:05", or as Québec writes it, "21 h", "21h30", "21 h 30" → "HH:MM"; nullopt otherwise.
std::optional<std::string> clock_time(std::string_view text) {
  std::size_t at = 0;
  int hours = 0;
  while (at < text.size() && at < 2 && is_digit(text[at])) hours = hours * 10 + (text[at++] - '0');
  if (at == 0) return std::nullopt;
  std::string_view rest = text.substr(at);
  const auto letter = rest.find_first_not_of(' ');
  int minutes = 0;
  if (letter != std::string_view::npos && (rest[letter] == 'h' || rest[letter] == 'H')) {
    rest.remove_prefix(letter + 1);
    while (!rest.empty() && rest.front() == ' ') rest.remove_prefix(1);
    if (!rest.empty()) {
      if (rest.size() != 2 || !is_digit(rest[0]) || !is_digit(rest[1])) return std::nullopt;
      minutes = (rest[0] - '0') * 10 + (rest[1] - '0');
    }
  } else {
    if (rest.size() != 3 || rest[0] != ':' || !is_digit(rest[1]) || !is_digit(rest[2])) return std::nullopt;
    minutes = (rest[1] - '0') * 10 + (rest[2] - '0');
  }
  if (hours > 23 || minutes > 59) return std::nullopt;
  const char out[] = {static_cast<char>('0' + hours / 10), static_cast<char>('0' + hours % 10), ':',
                      static_cast<char>('0' + minutes / 10), static_cast<char>('0' + minutes % 10)};
  return std::string(out, sizeof out);
}

constexpr Words kChannel{"Choisissez comment vous joindre : par courriel, par texto ou les deux.",
                         "Choose how to reach you: by email, by text message or both."};
constexpr Words kEmailMissing{"Entrez votre adresse courriel, puisque vous voulez être joint par courriel.",
                              "Enter your email address, since you want to be reached by email."};
constexpr Words kEmailInvalid{"Entrez une adresse courriel valide, par exemple nom@exemple.ca.",
                              "Enter a valid email address, like name@example.ca."};
constexpr Words kMobileMissing{"Entrez votre numéro de cellulaire, puisque vous voulez être joint par texto.",
                               "Enter your mobile number, since you want to be reached by text message."};
constexpr Words kMobileInvalid{
    "Entrez le numéro de cellulaire au format international : le signe + suivi de l'indicatif du pays et du "
    "numéro, par exemple +1 514 555 0123.",
    "Enter the mobile number in international format: the + sign, then the country code and the number, like "
    "+1 514 555 0123."};
constexpr Words kLanguage{"Choisissez la langue de vos avis : français ou anglais.",
                          "Choose the language of your notices: French or English."};
constexpr Words kStartInvalid{"Entrez l'heure de début au format HH:MM, par exemple 21:00.",
                              "Enter the start time as HH:MM, like 21:00."};
constexpr Words kEndInvalid{"Entrez l'heure de fin au format HH:MM, par exemple 08:00.",
                            "Enter the end time as HH:MM, like 08:00."};
constexpr Words kStartMissing{"Entrez aussi l'heure de début, ou laissez les deux heures vides.",
                              "Enter the start time too, or leave both times empty."};
constexpr Words kEndMissing{"Entrez aussi l'heure de fin, ou laissez les deux heures vides.",
                            "Enter the end time too, or leave both times empty."};
constexpr Words kSameTimes{"L'heure de fin doit être différente de l'heure de début.",
                           "The end time must differ from the start time."};
constexpr Words kAccessNotices{"Choisissez quand être avisé des communications de vos renseignements.",
                               "Choose when to be told about communications of your information."};

}  // namespace

bool valid_email_address(std::string_view address) {
  if (address.empty() || address.size() > 254) return false;
  for (const char c : address) {
    if (c <= ' ' || c >= 0x7f || std::string_view("<>(),;:\"\\[]").find(c) != std::string_view::npos) return false;
  }
  const auto at = address.find('@');
  if (at == 0 || at == std::string_view::npos || address.find('@', at + 1) != std::string_view::npos) return false;
  const std::string_view domain = address.substr(at + 1);
  const auto dot = domain.find('.');
  return dot != std::string_view::npos && dot != 0 && domain.back() != '.' && domain.find("..") == std::string_view::npos;
}

bool valid_e164(std::string_view number) {
  if (number.size() < 9 || number.size() > 16 || number[0] != '+' || number[1] == '0') return false;
  return std::all_of(number.begin() + 1, number.end(), is_digit);
}

PreferencesForm read_preferences_form(const std::map<std::string, std::string>& posted) {
  PreferencesForm form;
  ContactPreferences& v = form.values;
  const auto fail = [&form](const char* field, Words message) { form.errors.push_back({field, message}); };

  v.channel = posted_value(posted, "channel");
  const bool email = v.channel == "email" || v.channel == "both";
  const bool sms = v.channel == "sms" || v.channel == "both";
  if (!email && !sms) fail("channel", kChannel);

  v.email = posted_value(posted, "email");
  if (v.email.empty()) {
    if (email) fail("email", kEmailMissing);
  } else if (!valid_email_address(v.email)) {
    fail("email", kEmailInvalid);
  }

  // Citizens write numbers with spaces, dashes, dots and parentheses; the record holds digits.
  v.mobile = posted_value(posted, "mobile");
  std::string digits = v.mobile;
  std::erase_if(digits, [](char c) { return c == ' ' || c == '-' || c == '.' || c == '(' || c == ')'; });
  if (v.mobile.empty()) {
    if (sms) fail("mobile", kMobileMissing);
  } else if (!valid_e164(digits)) {
    fail("mobile", kMobileInvalid);
  } else {
    v.mobile = digits;
  }

  v.language = posted_value(posted, "language");
  if (v.language != "fr" && v.language != "en") fail("language", kLanguage);

  v.quiet_hours_start = posted_value(posted, "quiet_hours_start");
  v.quiet_hours_end = posted_value(posted, "quiet_hours_end");
  const auto start = clock_time(v.quiet_hours_start);
  const auto end = clock_time(v.quiet_hours_end);
  if (!v.quiet_hours_start.empty() && !start) fail("quiet_hours_start", kStartInvalid);
  if (v.quiet_hours_start.empty() && !v.quiet_hours_end.empty()) fail("quiet_hours_start", kStartMissing);
  if (!v.quiet_hours_end.empty() && !end) fail("quiet_hours_end", kEndInvalid);
  if (v.quiet_hours_end.empty() && !v.quiet_hours_start.empty()) fail("quiet_hours_end", kEndMissing);
  if (start) v.quiet_hours_start = *start;
  if (end) v.quiet_hours_end = *end;
  if (start && end && *start == *end) fail("quiet_hours_end", kSameTimes);

  v.access_notices = posted_value(posted, "access_notices");
  if (v.access_notices != "each" && v.access_notices != "daily" && v.access_notices != "none") {
    fail("access_notices", kAccessNotices);
  }
  return form;
}

}  // namespace pse::portal
