// Masking of personal information: each kind in French and English, and ordinary numbers and
// words that must stay as they are.
#include "pii_masking.hpp"

#include <gmock/gmock.h>

#include <chrono>

namespace pse::feedback {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

MaskedText fr(std::string_view text) { return mask_personal_information(text, Language::fr); }
MaskedText en(std::string_view text) { return mask_personal_information(text, Language::en); }

TEST(feedback_Luhn, KnownNumbers) {
  EXPECT_TRUE(luhn_valid("046454286"));
  EXPECT_FALSE(luhn_valid("123456789"));
  EXPECT_FALSE(luhn_valid("04645428a"));
  EXPECT_FALSE(luhn_valid(""));
}

TEST(feedback_MaskSin, ValidChecksumMaskedInEveryForm) {
  for (const char* sin : {"046454286", "046 454 286", "046-454-286"}) {
    const auto masked = fr(std::string("Mon NAS est ") + sin + ", merci.");
    EXPECT_EQ(masked.text, "Mon NAS est [NAS masqué], merci.") << sin;
    EXPECT_EQ(masked.count(PiiKind::social_insurance_number), 1);
  }
  EXPECT_EQ(en("My SIN: 046 454 286").text, "My SIN: [SIN removed]");
}

TEST(feedback_MaskSin, NineDigitsFailingLuhnStay) {
  const auto masked = fr("Dossier 123 456 789 toujours ouvert");
  EXPECT_EQ(masked.text, "Dossier 123 456 789 toujours ouvert");
  EXPECT_EQ(masked.total(), 0);
}

TEST(feedback_MaskHealthNumber, WithAndWithoutSpaces) {
  EXPECT_EQ(fr("Ma carte TREM 5503 1512 a expiré").text, "Ma carte [numéro RAMQ masqué] a expiré");
  EXPECT_EQ(en("card trem55031512 expired").text, "card [health number removed] expired");
  // Not a plausible date of birth in the digits: left alone.
  EXPECT_EQ(fr("code ABCD 9999 9999").total(), 0);
}

TEST(feedback_MaskPhone, NorthAmericanForms) {
  for (const char* phone : {"514-555-1234", "(514) 555-1234", "514.555.1234", "514 555 1234", "+1 514 555 1234",
                            "1-800-555-1234", "5145551234", "514-555-1234 poste 221", "(418) 555-0199 ext. 12"}) {
    const auto masked = fr(std::string("Appelez-moi au ") + phone + " svp");
    EXPECT_EQ(masked.text, "Appelez-moi au [téléphone masqué] svp") << phone;
  }
  EXPECT_EQ(en("Call me at 613.555.0100 x 45.").text, "Call me at [phone removed].");
}

TEST(feedback_MaskEmail, Addresses) {
  EXPECT_EQ(fr("Écrivez à jean.tremblay+rq@exemple.qc.ca.").text, "Écrivez à [courriel masqué].");
  EXPECT_EQ(en("mail JANE_DOE@example.com now").text, "mail [email removed] now");
}

TEST(feedback_MaskPostalCode, WithAndWithoutSpace) {
  EXPECT_EQ(fr("J'habite à H2X 1Y4.").text, "J'habite à [code postal masqué].");
  EXPECT_EQ(en("zip g1r4s9 here").text, "zip [postal code removed] here");
  // D, F, I, O, Q, U never start a postal code.
  EXPECT_EQ(fr("modèle D2X 1Y4").total(), 0);
}

TEST(feedback_MaskAddress, FrenchForms) {
  EXPECT_EQ(fr("Je reste au 123, rue Saint-Denis depuis 2019.").text, "Je reste au [adresse masquée] depuis 2019.");
  EXPECT_EQ(fr("Bureau au 1200 boul. René-Lévesque Ouest, app. 3").text,
            "Bureau au [adresse masquée], [adresse masquée]");
  EXPECT_EQ(fr("au 45 avenue des Érables").text, "au [adresse masquée]");
  EXPECT_EQ(fr("au 8 chemin de la Côte-Sainte-Catherine").text, "au [adresse masquée]");
}

TEST(feedback_MaskAddress, EnglishForms) {
  EXPECT_EQ(en("I live at 45 Main Street, apt 3.").text, "I live at [address removed], [address removed].");
  EXPECT_EQ(en("send it to 1200 Sherbrooke St. West please").text, "send it to [address removed] please");
}

TEST(feedback_MaskPassport, TwoLettersSixDigits) {
  EXPECT_EQ(fr("passeport AB123456 perdu").text, "passeport [passeport masqué] perdu");
  EXPECT_EQ(en("passport gk654321.").text, "passport [passport removed].");
}

TEST(feedback_MaskFalsePositives, OrdinaryNumbersAndProseStay) {
  for (const char* text : {"J'ai attendu 3 semaines, en 2024, pour 45,50 $.",
                           "Il y avait 3 rues fermées et j'ai marché 3 rue de chez moi.",
                           "Le formulaire 2024-11-22 coûte 1 234,56 $",
                           "I waited 45 minutes and paid $120.",
                           "Numéro de dossier 123456789 (refusé)",
                           "Le service était excellent, merci à l'agente!",
                           "Section 3 rue principale du document"}) {
    const auto masked = fr(text);
    EXPECT_EQ(masked.text, text);
    EXPECT_EQ(masked.total(), 0) << text;
  }
}

TEST(feedback_MaskMixed, EverythingInOneComment) {
  const auto masked = fr("NAS 046 454 286, tél. 514-555-1234, courriel a@b.ca, H3Z 2Y7, 12 rue Jeanne-Mance.");
  EXPECT_THAT(masked.text, Not(HasSubstr("046")));
  EXPECT_THAT(masked.text, Not(HasSubstr("555")));
  EXPECT_THAT(masked.text, Not(HasSubstr("@")));
  EXPECT_THAT(masked.text, Not(HasSubstr("H3Z")));
  EXPECT_THAT(masked.text, Not(HasSubstr("Jeanne")));
  EXPECT_EQ(masked.total(), 5);
}

TEST(feedback_MaskLimits, LongestCommentsWithoutSpacesStayCheap) {
  // The form allows 2000 characters; the patterns must neither blow the stack nor take long on
  // one 2000-character word, in ASCII, in accented letters (2 bytes each) or in digits.
  for (const std::string& unit : {std::string("A"), std::string("É"), std::string("7"), std::string("1 ")}) {
    std::string text;
    for (int i = 0; i < 2000; ++i) text += unit;
    const auto start = std::chrono::steady_clock::now();
    const auto masked = fr(text);
    EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(2)) << unit;
    EXPECT_FALSE(masked.text.empty());
  }
}

}  // namespace
}  // namespace pse::feedback
