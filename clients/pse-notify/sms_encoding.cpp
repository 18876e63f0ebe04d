#include "sms_encoding.hpp"

#include "utf8.hpp"

#include <array>

namespace pse::notify {
namespace {

// 3GPP TS 23.038 §6.2.1, default alphabet, indexed by the septet. 0x1B is the escape to the
// extension table (no character of its own).
constexpr std::array<char32_t, 128> kBasicSet = {
    U'@',    U'£',    U'$',    U'¥',    U'è',    U'é',    U'ù',    U'ì',    U'ò',    U'Ç',    U'\n', U'Ø',
    U'ø',    U'\r',   U'Å',    U'å',    U'Δ',    U'_',    U'Φ',    U'Γ',    U'Λ',    U'Ω',    U'Π',  U'Ψ',
    U'Σ',    U'Θ',    U'Ξ',    0xFFFF,  U'Æ',    U'æ',    U'ß',    U'É',    U' ',    U'!',    U'"',  U'#',
    U'¤',    U'%',    U'&',    U'\'',   U'(',    U')',    U'*',    U'+',    U',',    U'-',    U'.',  U'/',
    U'0',    U'1',    U'2',    U'3',    U'4',    U'5',    U'6',    U'7',    U'8',    U'9',    U':',  U';',
    U'<',    U'=',    U'>',    U'?',    U'¡',    U'A',    U'B',    U'C',    U'D',    U'E',    U'F',  U'G',
    U'H',    U'I',    U'J',    U'K',    U'L',    U'M',    U'N',    U'O',    U'P',    U'Q',    U'R',  U'S',
    U'T',    U'U',    U'V',    U'W',    U'X',    U'Y',    U'Z',    U'Ä',    U'Ö',    U'Ñ',    U'Ü',  U'§',
    U'¿',    U'a',    U'b',    U'c',    U'd',    U'e',    U'f',    U'g',    U'h',    U'i',    U'j',  U'k',
    U'l',    U'm',    U'n',    U'o',    U'p',    U'q',    U'r',    U's',    U't',    U'u',    U'v',  U'w',
    U'x',    U'y',    U'z',    U'ä',    U'ö',    U'ñ',    U'ü',    U'à'};

// §6.2.1.1, the extension table (each costs the escape septet plus its own).
constexpr std::array<char32_t, 10> kExtensionSet = {U'\f', U'^', U'{', U'}', U'\\', U'[', U'~', U']', U'|', U'€'};

constexpr std::size_t kGsm7Single = 160, kGsm7Part = 153;
constexpr std::size_t kUcs2Single = 70, kUcs2Part = 67;

}  // namespace

int gsm7_septets(char32_t code_point) {
  for (char32_t c : kBasicSet) {
    if (c == code_point) return 1;
  }
  for (char32_t c : kExtensionSet) {
    if (c == code_point) return 2;
  }
  return 0;
}

SmsSize measure_sms(std::string_view utf8_text) {
  SmsSize size;
  auto decoded = decode_utf8(utf8_text);
  std::vector<char32_t> code_points;
  if (decoded) {
    code_points = std::move(*decoded);
  } else {
    for (char byte : utf8_text) code_points.push_back(static_cast<unsigned char>(byte));
  }
  size.characters = code_points.size();

  bool gsm7 = decoded.has_value();
  for (char32_t c : code_points) {
    if (gsm7_septets(c) == 0) {
      gsm7 = false;
      break;
    }
  }
  // Units per character, and a concatenated message never splits an escape pair or a
  // surrogate pair across two parts: count parts by filling them character by character.
  std::size_t total = 0, parts = 1, in_part = 0;
  const std::size_t part_capacity = gsm7 ? kGsm7Part : kUcs2Part;
  for (char32_t c : code_points) {
    const std::size_t units = gsm7 ? static_cast<std::size_t>(gsm7_septets(c)) : (c > 0xFFFF ? 2u : 1u);
    total += units;
    if (in_part + units > part_capacity) {
      ++parts;
      in_part = 0;
    }
    in_part += units;
  }
  size.coding = gsm7 ? SmsCoding::gsm7 : SmsCoding::ucs2;
  size.units = total;
  const std::size_t single = gsm7 ? kGsm7Single : kUcs2Single;
  size.segments = total == 0 ? 1 : (total <= single ? 1 : parts);
  return size;
}

}  // namespace pse::notify
