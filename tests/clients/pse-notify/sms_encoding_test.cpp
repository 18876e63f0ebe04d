#include "sms_encoding.hpp"

#include <gtest/gtest.h>

#include <string>

namespace pse::notify {
namespace {

TEST(NotifySmsEncoding, BasicSetCharactersTakeOneSeptet) {
  for (char32_t c : {U'@', U'£', U'é', U'è', U'à', U'ù', U'É', U'Ç', U'ü', U'ß', U'¿', U'\n', U'A', U'z'}) {
    EXPECT_EQ(gsm7_septets(c), 1) << static_cast<unsigned>(c);
  }
}

TEST(NotifySmsEncoding, ExtensionTableCharactersTakeTwoSeptets) {
  for (char32_t c : {U'€', U'[', U']', U'{', U'}', U'\\', U'^', U'~', U'|', U'\f'}) {
    EXPECT_EQ(gsm7_septets(c), 2) << static_cast<unsigned>(c);
  }
}

TEST(NotifySmsEncoding, FrenchLettersOutsideTheTableAreNotGsm7) {
  // TS 23.038 has É, é, è, à, Ç but none of these.
  for (char32_t c : {U'ê', U'â', U'î', U'ô', U'û', U'ç', U'ë', U'ï', U'œ', U'È', U'À', U'’', U'«'}) {
    EXPECT_EQ(gsm7_septets(c), 0) << static_cast<unsigned>(c);
  }
}

TEST(NotifySmsEncoding, TheBasicSetHasExactly127CharactersBesidesTheEscape) {
  // Every character of the default alphabet is below U+0400; 0x1B is the escape, not a character.
  int count = 0;
  for (char32_t c = 0; c < 0x400; ++c) count += gsm7_septets(c) == 1 ? 1 : 0;
  EXPECT_EQ(count, 127);
}

TEST(NotifySmsEncoding, AccentedTextInTheBasicSetStaysGsm7) {
  const SmsSize size = measure_sms("Réponse à votre demande: été");
  EXPECT_EQ(size.coding, SmsCoding::gsm7);
  EXPECT_EQ(size.characters, 28u);
  EXPECT_EQ(size.units, 28u);
  EXPECT_EQ(size.segments, 1u);
}

TEST(NotifySmsEncoding, OneCircumflexTurnsTheWholeMessageIntoUcs2) {
  const SmsSize size = measure_sms("Votre fête");
  EXPECT_EQ(size.coding, SmsCoding::ucs2);
  EXPECT_EQ(size.units, 10u);
  EXPECT_EQ(size.segments, 1u);
}

TEST(NotifySmsEncoding, SegmentBoundariesForGsm7) {
  EXPECT_EQ(measure_sms(std::string(160, 'a')).segments, 1u);
  EXPECT_EQ(measure_sms(std::string(161, 'a')).segments, 2u);
  EXPECT_EQ(measure_sms(std::string(306, 'a')).segments, 2u);
  EXPECT_EQ(measure_sms(std::string(307, 'a')).segments, 3u);
  // 80 euro signs are 160 septets: one message. 81 are 162: two.
  std::string euros;
  for (int i = 0; i < 80; ++i) euros += "€";
  EXPECT_EQ(measure_sms(euros).units, 160u);
  EXPECT_EQ(measure_sms(euros).segments, 1u);
  EXPECT_EQ(measure_sms(euros + "€").segments, 2u);
}

TEST(NotifySmsEncoding, AnEscapePairIsNeverSplitAcrossSegments) {
  // 152 'a' then '€': 154 septets in a 153-septet part would split the pair, so the euro
  // opens the second part; 152 + 2 + 152 'a' = 306 septets still need three parts.
  std::string text = std::string(152, 'a') + "€" + std::string(152, 'a');
  const SmsSize size = measure_sms(text);
  EXPECT_EQ(size.units, 306u);
  EXPECT_EQ(size.segments, 3u);
}

TEST(NotifySmsEncoding, SegmentBoundariesForUcs2) {
  std::string text;
  for (int i = 0; i < 70; ++i) text += "ê";
  EXPECT_EQ(measure_sms(text).segments, 1u);
  EXPECT_EQ(measure_sms(text + "ê").segments, 2u);
  std::string long_text;
  for (int i = 0; i < 134; ++i) long_text += "ç";
  EXPECT_EQ(measure_sms(long_text).segments, 2u);
  EXPECT_EQ(measure_sms(long_text + "ç").segments, 3u);
}

TEST(NotifySmsEncoding, CharactersBeyondTheBmpCountTwoUnits) {
  const SmsSize size = measure_sms("ok \xF0\x9F\x99\x82");  // U+1F642
  EXPECT_EQ(size.coding, SmsCoding::ucs2);
  EXPECT_EQ(size.characters, 4u);
  EXPECT_EQ(size.units, 5u);
}

TEST(NotifySmsEncoding, InvalidUtf8IsMeasuredWithoutCrashing) {
  const SmsSize size = measure_sms("\xC3\x28 abc");
  EXPECT_EQ(size.coding, SmsCoding::ucs2);
  EXPECT_EQ(size.segments, 1u);
}

}  // namespace
}  // namespace pse::notify
