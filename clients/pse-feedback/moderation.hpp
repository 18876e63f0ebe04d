// Moderation of a comment before anything is stored or sent: personal information masked,
// profanity masked, threats and other signals scored. A comment whose score reaches the threshold
// waits in the a-priori moderation queue; a threat is also flagged for escalation.
#pragma once

#include "language.hpp"
#include "pii_masking.hpp"
#include "word_filter.hpp"

#include <string>
#include <string_view>
#include <vector>

namespace pse::feedback {

struct ModerationPolicy {
  int threshold = 3;         ///< score at or above which a comment waits for a moderator
  int pii_weight = 1;        ///< per masked piece of personal information
  int profanity_weight = 2;  ///< per profane word or phrase
  int threat_weight = 10;    ///< per threat (always above any sane threshold)
  int link_weight = 3;       ///< per web address (spam, phishing)
};

struct ModerationOutcome {
  std::string text;                  ///< masked comment: the only form ever stored
  int score = 0;
  bool needs_review = false;         ///< goes to the moderation queue
  bool escalate = false;             ///< a threat: the moderator should escalate
  std::vector<std::string> reasons;  ///< e.g. "pii:phone", "profanity", "threat", "link"
};

ModerationOutcome moderate_comment(std::string_view comment, Language language, const WordFilter& words,
                                   const ModerationPolicy& policy);

}  // namespace pse::feedback
