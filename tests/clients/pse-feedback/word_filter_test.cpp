// Profanity and threats: whole words, accents and case folded, obfuscations undone; the
// moderation score and queue decision built on them.
#include "moderation.hpp"
#include "word_filter.hpp"

#include "base/config_error.hpp"

#include <gmock/gmock.h>

namespace pse::feedback {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;

WordFilter test_words() {
  return WordFilter({"merde", "connard", "fuck", "bullshit", "tabarnak"}, {"je vais te tuer", "bombe", "kill you"});
}

TEST(feedback_FoldWord, CaseAccentsLeetRepeats) {
  EXPECT_EQ(fold_word("MÉRDE"), "merde");
  EXPECT_EQ(fold_word("m3rd3"), "merde");
  EXPECT_EQ(fold_word("merdeeeee"), "merde");
  EXPECT_EQ(fold_word("Tabarnaaak"), "tabarnak");
  EXPECT_EQ(fold_word("2024"), "2024");
}

TEST(feedback_WordFilter, MasksProfanityInItsObfuscatedForms) {
  const WordFilter words = test_words();
  for (const char* text : {"quelle merde", "quelle MERDE!", "quelle m3rd3", "quelle m*rde", "quelle merdeeee",
                           "quelle m.e.r.d.e", "what the f-u-c-k", "total BuLL$hit", "TABARNAK"}) {
    const auto result = words.apply(text);
    EXPECT_EQ(result.profanity, 1) << text;
    EXPECT_THAT(result.text, HasSubstr("####")) << text;
  }
  EXPECT_EQ(words.apply("quelle merde!").text, "quelle ####!");
}

TEST(feedback_WordFilter, WholeWordsOnly) {
  const WordFilter words = test_words();
  for (const char* text : {"un contrat de conduite", "emmerdement administratif", "a skill, not a kill-switch you",
                           "la bombarde est un instrument", "Connardville"}) {
    const auto result = words.apply(text);
    EXPECT_EQ(result.profanity, 0) << text;
    EXPECT_TRUE(result.threats.empty()) << text;
    EXPECT_EQ(result.text, text);
  }
}

TEST(feedback_WordFilter, ThreatPhrasesAcrossAccentsAndCase) {
  const WordFilter words = test_words();
  EXPECT_THAT(words.apply("Je vais te TUER si ça continue").threats, ElementsAre("je vais te tuer"));
  EXPECT_THAT(words.apply("il y a une bombe").threats, ElementsAre("bombe"));
  EXPECT_THAT(words.apply("I will k1ll you").threats, ElementsAre("kil you"));
  EXPECT_TRUE(words.apply("je vais te le dire").threats.empty());
}

TEST(feedback_Moderation, CleanCommentPublishedDirectly) {
  const auto outcome = moderate_comment("Service rapide et courtois.", Language::fr, test_words(), {});
  EXPECT_EQ(outcome.text, "Service rapide et courtois.");
  EXPECT_EQ(outcome.score, 0);
  EXPECT_FALSE(outcome.needs_review);
  EXPECT_FALSE(outcome.escalate);
}

TEST(feedback_Moderation, OneMaskedNumberStaysBelowTheThreshold) {
  const auto outcome = moderate_comment("Rappelez-moi au 514-555-1234", Language::fr, test_words(), {});
  EXPECT_EQ(outcome.text, "Rappelez-moi au [téléphone masqué]");
  EXPECT_EQ(outcome.score, 1);
  EXPECT_FALSE(outcome.needs_review);
  EXPECT_THAT(outcome.reasons, ElementsAre("pii:phone"));
}

TEST(feedback_Moderation, ProfanityAndPiiTogetherReachTheQueue) {
  const auto outcome = moderate_comment("Quelle merde, mon NAS 046 454 286", Language::fr, test_words(), {});
  EXPECT_EQ(outcome.text, "Quelle ####, mon NAS [NAS masqué]");
  EXPECT_EQ(outcome.score, 3);
  EXPECT_TRUE(outcome.needs_review);
  EXPECT_FALSE(outcome.escalate);
}

TEST(feedback_Moderation, ThreatIsQueuedAndEscalated) {
  const auto outcome = moderate_comment("Je vais te tuer", Language::fr, test_words(), {});
  EXPECT_TRUE(outcome.needs_review);
  EXPECT_TRUE(outcome.escalate);
  EXPECT_THAT(outcome.reasons, ElementsAre("threat"));
}

TEST(feedback_Moderation, LinksAreQueued) {
  const auto outcome = moderate_comment("Visitez https://spam.example/x", Language::en, test_words(), {});
  EXPECT_TRUE(outcome.needs_review);
  EXPECT_THAT(outcome.reasons, ElementsAre("link"));
}

TEST(feedback_WordFilter, ShippedListsLoadAndMatch) {
  const std::string dir = PSE_SOURCE_DIR "/config/feedback/";
  std::vector<std::string> profanity = WordFilter::read_list(dir + "profanity-fr.txt");
  for (auto& entry : WordFilter::read_list(dir + "profanity-en.txt")) profanity.push_back(entry);
  std::vector<std::string> threats = WordFilter::read_list(dir + "threats-fr.txt");
  for (auto& entry : WordFilter::read_list(dir + "threats-en.txt")) threats.push_back(entry);
  const WordFilter words(profanity, threats);
  EXPECT_EQ(words.apply("CALISSE de formulaire").profanity, 1);
  EXPECT_EQ(words.apply("what a piece of sh1t").profanity, 1);
  EXPECT_EQ(words.apply("Je sais où vous HABITEZ").threats.size(), 1U);
  EXPECT_TRUE(words.apply("ça va me tuer d'attendre si longtemps").threats.empty());
  EXPECT_THROW(WordFilter::read_list(dir + "missing.txt"), ConfigError);
}

}  // namespace
}  // namespace pse::feedback
