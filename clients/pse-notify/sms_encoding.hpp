// How an SMS will travel: GSM 03.38 7-bit (with its extension table) when every character
// fits, UCS-2 otherwise, and how many segments that takes.
//
// The table is 3GPP TS 23.038's default alphabet, taken strictly: it has é, è, à, ù, ì, ò, É
// and Ç (capital) but not ê, â, î, ô, û, ç, ë, ï or œ — so a French text with one of those
// travels as UCS-2, 70 characters per single message instead of 160. Counting this right
// matters: operators bill per segment.
#pragma once

#include <cstddef>
#include <string_view>

namespace pse::notify {

enum class SmsCoding { gsm7, ucs2 };

struct SmsSize {
  SmsCoding coding = SmsCoding::gsm7;
  /// Septets (GSM-7, an extension character counts 2) or UTF-16 code units (UCS-2).
  std::size_t units = 0;
  /// Characters as the citizen sees them (code points).
  std::size_t characters = 0;
  /// 1 when it fits one message; otherwise the parts of a concatenated SMS.
  std::size_t segments = 0;
};

/// Size of `utf8_text`; an invalid UTF-8 text is measured as UCS-2 of its bytes (never crashes).
SmsSize measure_sms(std::string_view utf8_text);

/// Septets a code point takes in GSM-7: 1 (basic set), 2 (extension table), 0 (not encodable).
int gsm7_septets(char32_t code_point);

}  // namespace pse::notify
