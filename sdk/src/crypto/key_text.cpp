#include "crypto/key_text.hpp"

#include <sodium.h>

#include <algorithm>
#include <fstream>
#include <iterator>
#include <stdexcept>

namespace pse::crypto {

void ensure_sodium() {
  if (sodium_init() < 0) throw std::runtime_error("libsodium could not be initialised");
}

namespace {

constexpr std::string_view kStandard = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
constexpr std::string_view kUrl = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

// Each character's six bits, or -1 for a character outside the alphabet.
constexpr std::array<std::int8_t, 256> decoding_table(std::string_view alphabet) {
  std::array<std::int8_t, 256> table{};
  table.fill(-1);
  for (std::size_t i = 0; i < alphabet.size(); ++i) table[static_cast<unsigned char>(alphabet[i])] = static_cast<std::int8_t>(i);
  return table;
}
constexpr auto kStandardTable = decoding_table(kStandard);
constexpr auto kUrlTable = decoding_table(kUrl);

}  // namespace

// Table-driven, not constant-time: what it decodes and encodes is public (signatures, signed
// payloads, salts, ciphertexts), and it runs several times per exchange, where libsodium's
// constant-time coder cost several per cent of the broker's time. Keys go through decode_key.
std::optional<std::vector<std::uint8_t>> from_base64(std::string_view text, std::size_t max_bytes, Alphabet alphabet) {
  std::size_t length = text.size();
  if (alphabet == Alphabet::standard) {
    // Padded to whole groups of four, with exactly the padding the last group needs.
    std::size_t padding = 0;
    while (padding < 2 && length > 0 && text[length - 1] == '=') --length, ++padding;
    if ((length + padding) % 4 != 0) return std::nullopt;
  }
  if (length % 4 == 1) return std::nullopt;
  const std::size_t tail = length % 4;
  const std::size_t decoded = length / 4 * 3 + (tail == 0 ? 0 : tail - 1);
  if (decoded > max_bytes) return std::nullopt;
  const auto& table = alphabet == Alphabet::standard ? kStandardTable : kUrlTable;
  std::vector<std::uint8_t> bytes(decoded);
  std::uint8_t* out = bytes.data();
  std::uint32_t bits = 0;
  std::size_t held = 0;  // characters in `bits`
  for (std::size_t i = 0; i < length; ++i) {
    const std::int8_t value = table[static_cast<unsigned char>(text[i])];
    if (value < 0) return std::nullopt;
    bits = bits << 6 | static_cast<std::uint32_t>(value);
    if (++held == 4) {
      *out++ = static_cast<std::uint8_t>(bits >> 16);
      *out++ = static_cast<std::uint8_t>(bits >> 8);
      *out++ = static_cast<std::uint8_t>(bits);
      bits = 0;
      held = 0;
    }
  }
  // A last group of 2 or 3 characters: its unused low bits must be zero (one text per value).
  if (held == 2) {
    if ((bits & 0xF) != 0) return std::nullopt;
    *out++ = static_cast<std::uint8_t>(bits >> 4);
  } else if (held == 3) {
    if ((bits & 0x3) != 0) return std::nullopt;
    *out++ = static_cast<std::uint8_t>(bits >> 10);
    *out++ = static_cast<std::uint8_t>(bits >> 2);
  }
  return bytes;
}

std::string to_base64(const std::uint8_t* bytes, std::size_t size, Alphabet alphabet) {
  const std::string_view digits = alphabet == Alphabet::standard ? kStandard : kUrl;
  std::string text;
  text.reserve((size + 2) / 3 * 4);
  std::size_t i = 0;
  for (; i + 3 <= size; i += 3) {
    const std::uint32_t group = std::uint32_t{bytes[i]} << 16 | std::uint32_t{bytes[i + 1]} << 8 | bytes[i + 2];
    text += digits[group >> 18];
    text += digits[group >> 12 & 0x3F];
    text += digits[group >> 6 & 0x3F];
    text += digits[group & 0x3F];
  }
  if (const std::size_t rest = size - i; rest > 0) {
    const std::uint32_t group = std::uint32_t{bytes[i]} << 16 | (rest == 2 ? std::uint32_t{bytes[i + 1]} << 8 : 0);
    text += digits[group >> 18];
    text += digits[group >> 12 & 0x3F];
    if (rest == 2) text += digits[group >> 6 & 0x3F];
    if (alphabet == Alphabet::standard) text.append(rest == 2 ? 1 : 2, '=');
  }
  return text;
}

std::optional<Key32> decode_key(std::string_view base64) {
  ensure_sodium();
  while (!base64.empty() && (base64.back() == '\n' || base64.back() == '\r' || base64.back() == ' ')) base64.remove_suffix(1);
  // A secret: libsodium's constant-time decoder, not the table of from_base64.
  Key32 key;
  std::size_t length = 0;
  const char* end = nullptr;
  if (base64.empty() ||
      sodium_base642bin(key.data(), key.size(), base64.data(), base64.size(), nullptr, &length, &end,
                        sodium_base64_VARIANT_ORIGINAL) != 0 ||
      end != base64.data() + base64.size() || length != key.size()) {
    return std::nullopt;
  }
  return key;
}

Result<Key32> read_key(const std::filesystem::path& file, std::string_view what) {
  std::ifstream in(file);
  if (!in) return make_error(Reason::internal_error, "cannot read the " + std::string(what) + " file " + file.string());
  const std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  auto key = decode_key(text);
  if (!key) return make_error(Reason::internal_error, file.string() + " does not hold a 32-byte key in base64");
  return *key;
}

Result<Key32> registered_key(const std::filesystem::path& directory, std::string_view organisation,
                             std::string_view what, Reason failure) {
  // An organisation id is snake_case or kebab-case: never a path of its own.
  const bool plain = !organisation.empty() && std::all_of(organisation.begin(), organisation.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '_';
  });
  if (!plain) return make_error(failure, "'" + std::string(organisation) + "' cannot name a key file");
  auto key = read_key(directory / (std::string(organisation) + ".pub"), what);
  if (!key) return make_error(failure, key.error().message);
  return *key;
}

std::optional<Key32> key_of_option(const std::filesystem::path& file, std::string_view what) {
  if (file.empty()) return std::nullopt;
  auto key = read_key(file, what);
  if (!key) throw std::runtime_error(key.error().message);
  return *key;
}

}  // namespace pse::crypto
