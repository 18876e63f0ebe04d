// GCC 12 with -fsanitize=address reports a false -Wmaybe-uninitialized inside std::regex's
// compiler (a std::function member of a moved _State).
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
#endif

#include "pii_masking.hpp"

#include <regex>
#include <vector>

namespace pse::feedback {
namespace {

// Every pattern is written as (boundary)(match): group 1 keeps the character before the match
// (std::regex has no look-behind), group 2 is what gets masked, and a look-ahead ends the match.
const std::string kBefore = "(^|[^0-9A-Za-z@._%+-])";
const std::string kAfterWord = "(?![0-9A-Za-z])";

// A capitalised name word in a street name: ASCII or accented capital, then anything up to a
// space or punctuation ("Saint-Denis", "René-Lévesque", "d'Iberville" after its article).
const std::string kUpper = "(?:[A-Z]|\xC3[\x80-\x9D])";
const std::string kNameWord = kUpper + "[^\\s,.;:!?()\\[\\]]*";
const std::string kApostrophe = "(?:'|\xE2\x80\x99)";

std::string french_address() {
  const std::string number = "[0-9]{1,5}(?:-[0-9]{1,5})?[A-Za-z]?";
  const std::string type =
      "(?:[Rr]ue|[Aa]venue|[Aa]v\\.|[Bb]oulevard|[Bb]oul\\.|[Bb]d|[Cc]hemin|[Cc]h\\.|[Rr]oute|[Rr]ang|"
      "[Pp]lace|[Mm]ont\xC3\xA9""e|[Cc]\xC3\xB4te|[Cc]roissant|[Ii]mpasse|[Aa]ll\xC3\xA9""e|[Pp]romenade|"
      "[Tt]errasse|[Qq]uai|[Cc]arr\xC3\xA9)";
  const std::string article = "(?:(?:de la |de l" + kApostrophe + "|du |des |de |d" + kApostrophe +
                              "|la |le |l" + kApostrophe + "))?";
  return number + ",? " + type + " " + article + kNameWord + "(?: " + kNameWord + "){0,3}";
}

std::string english_address() {
  const std::string type =
      "(?:Street|St\\.?|Avenue|Ave\\.?|Road|Rd\\.?|Boulevard|Blvd\\.?|Drive|Dr\\.?|Lane|Ln\\.?|"
      "Crescent|Cres\\.?|Court|Ct\\.?|Way|Place|Pl\\.?|Terrace|Parkway)";
  const std::string direction = "(?: (?:North|South|East|West|N|S|E|W)(?![A-Za-z]))?";
  return "[0-9]{1,5}(?:-[0-9]{1,5})?,? (?:" + kNameWord + " ){1,3}" + type + "(?![A-Za-z])" + direction;
}

bool plausible_health_number(std::string_view match) {
  std::string digits;
  for (const char c : match) {
    if (c >= '0' && c <= '9') digits += c;
  }
  // LLLL YYMM DDNN: month 01–12, or 51–62 for women; day 01–31.
  const int month = (digits[2] - '0') * 10 + (digits[3] - '0');
  const int day = (digits[4] - '0') * 10 + (digits[5] - '0');
  const bool month_ok = (month >= 1 && month <= 12) || (month >= 51 && month <= 62);
  return month_ok && day >= 1 && day <= 31;
}

bool valid_sin(std::string_view match) {
  std::string digits;
  for (const char c : match) {
    if (c >= '0' && c <= '9') digits += c;
  }
  return luhn_valid(digits);
}

bool always(std::string_view) { return true; }

struct Pattern {
  PiiKind kind;
  std::regex regex;
  bool (*accept)(std::string_view);
};

std::regex make(const std::string& body, bool icase = false, const std::string& after = kAfterWord) {
  auto flags = std::regex::ECMAScript | std::regex::optimize;
  if (icase) flags |= std::regex::icase;
  return std::regex(kBefore + "(" + body + ")" + after, flags);
}

const std::vector<Pattern>& patterns() {
  static const std::vector<Pattern> all = [] {
    std::vector<Pattern> list;
    list.push_back({PiiKind::email,
                    make("[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(?:\\.[A-Za-z0-9-]+)*\\.[A-Za-z]{2,}"), always});
    list.push_back({PiiKind::phone,
                    make("(?:\\+?1[ .-]?)?(?:\\([2-9][0-9]{2}\\) ?|[2-9][0-9]{2}[ .-]?)[2-9][0-9]{2}[ .-]?[0-9]{4}"
                         "(?:,? ?(?:poste|ext\\.?|x|p\\.) ?[0-9]{1,6})?",
                         true),
                    always});
    list.push_back({PiiKind::health_number, make("[A-Z]{4} ?[0-9]{4} ?[0-9]{4}", true), plausible_health_number});
    list.push_back({PiiKind::social_insurance_number, make("[0-9]{3}[ -]?[0-9]{3}[ -]?[0-9]{3}"), valid_sin});
    list.push_back({PiiKind::postal_code,
                    make("[ABCEGHJ-NPRSTVXY][0-9][ABCEGHJ-NPRSTV-Z][ -]?[0-9][ABCEGHJ-NPRSTV-Z][0-9]", true), always});
    list.push_back({PiiKind::passport, make("[A-Z]{2}[0-9]{6}", true), always});
    list.push_back({PiiKind::street_address, make(french_address(), false, ""), always});
    list.push_back({PiiKind::street_address, make(english_address(), false, ""), always});
    list.push_back({PiiKind::street_address,
                    make("(?:[Aa]pp\\.|[Aa]ppartement|[Aa]pt\\.?|[Aa]partment|[Uu]nit\xC3\xA9|[Uu]nit) ?#?[0-9]{1,5}[A-Za-z]?"),
                    always});
    return list;
  }();
  return all;
}

std::string_view placeholder(PiiKind kind, Language language) {
  const bool fr = language == Language::fr;
  switch (kind) {
    case PiiKind::email: return fr ? "[courriel masqué]" : "[email removed]";
    case PiiKind::phone: return fr ? "[téléphone masqué]" : "[phone removed]";
    case PiiKind::health_number: return fr ? "[numéro RAMQ masqué]" : "[health number removed]";
    case PiiKind::social_insurance_number: return fr ? "[NAS masqué]" : "[SIN removed]";
    case PiiKind::postal_code: return fr ? "[code postal masqué]" : "[postal code removed]";
    case PiiKind::passport: return fr ? "[passeport masqué]" : "[passport removed]";
    case PiiKind::street_address: return fr ? "[adresse masquée]" : "[address removed]";
    case PiiKind::count_: break;
  }
  return "[…]";
}

}  // namespace

std::string_view to_string(PiiKind kind) noexcept {
  switch (kind) {
    case PiiKind::email: return "email";
    case PiiKind::phone: return "phone";
    case PiiKind::health_number: return "health_number";
    case PiiKind::social_insurance_number: return "social_insurance_number";
    case PiiKind::postal_code: return "postal_code";
    case PiiKind::passport: return "passport";
    case PiiKind::street_address: return "street_address";
    case PiiKind::count_: break;
  }
  return "unknown";
}

int MaskedText::total() const noexcept {
  int sum = 0;
  for (const int n : found) sum += n;
  return sum;
}

bool luhn_valid(std::string_view digits) noexcept {
  if (digits.empty()) return false;
  int sum = 0;
  bool double_it = false;
  for (auto it = digits.rbegin(); it != digits.rend(); ++it) {
    if (*it < '0' || *it > '9') return false;
    int d = *it - '0';
    if (double_it) {
      d *= 2;
      if (d > 9) d -= 9;
    }
    sum += d;
    double_it = !double_it;
  }
  return sum % 10 == 0;
}

MaskedText mask_personal_information(std::string_view input, Language language) {
  MaskedText result{std::string(input), {}};
  for (const Pattern& pattern : patterns()) {
    std::string out;
    std::size_t copied = 0;
    const std::string& text = result.text;
    for (auto it = std::sregex_iterator(text.begin(), text.end(), pattern.regex); it != std::sregex_iterator(); ++it) {
      const auto& match = *it;
      const auto start = static_cast<std::size_t>(match.position(2));
      const auto length = static_cast<std::size_t>(match.length(2));
      if (!pattern.accept(std::string_view(text).substr(start, length))) continue;
      out.append(text, copied, start - copied);
      out += placeholder(pattern.kind, language);
      copied = start + length;
      ++result.found[static_cast<std::size_t>(pattern.kind)];
    }
    if (copied == 0 && out.empty()) continue;
    out.append(text, copied);
    result.text = std::move(out);
  }
  return result;
}

}  // namespace pse::feedback
