// GCC 12 with -fsanitize=address reports a false -Wmaybe-uninitialized inside std::regex's
// compiler (a std::function member of a moved _State).
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
#endif

#include "moderation.hpp"

#include <regex>

namespace pse::feedback {
namespace {

int count_links(std::string_view text) {
  static const std::regex link("(https?://|www\\.)[^\\s]+", std::regex::ECMAScript | std::regex::icase);
  const std::string copy(text);
  return static_cast<int>(std::distance(std::sregex_iterator(copy.begin(), copy.end(), link), std::sregex_iterator()));
}

}  // namespace

ModerationOutcome moderate_comment(std::string_view comment, Language language, const WordFilter& words,
                                   const ModerationPolicy& policy) {
  ModerationOutcome outcome;
  const MaskedText masked = mask_personal_information(comment, language);
  for (std::size_t kind = 0; kind < kPiiKinds; ++kind) {
    if (masked.found[kind] > 0) outcome.reasons.push_back("pii:" + std::string(to_string(static_cast<PiiKind>(kind))));
  }
  outcome.score += masked.total() * policy.pii_weight;

  WordFilter::Result filtered = words.apply(masked.text);
  if (filtered.profanity > 0) outcome.reasons.emplace_back("profanity");
  outcome.score += filtered.profanity * policy.profanity_weight;
  if (!filtered.threats.empty()) {
    outcome.reasons.emplace_back("threat");
    outcome.escalate = true;
  }
  outcome.score += static_cast<int>(filtered.threats.size()) * policy.threat_weight;

  const int links = count_links(filtered.text);
  if (links > 0) outcome.reasons.emplace_back("link");
  outcome.score += links * policy.link_weight;

  outcome.text = std::move(filtered.text);
  outcome.needs_review = outcome.escalate || outcome.score >= policy.threshold;
  return outcome;
}

}  // namespace pse::feedback
