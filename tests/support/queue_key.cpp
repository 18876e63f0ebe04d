#include "support/queue_key.hpp"

#include <sodium.h>

#include <array>
#include <fstream>
#include <stdexcept>

namespace pse::testing {

void write_queue_key(const std::filesystem::path& keys_dir, const std::string& id) {
  if (sodium_init() < 0) throw std::runtime_error("libsodium cannot start");
  std::array<unsigned char, 32> key{};
  randombytes_buf(key.data(), key.size());
  std::array<char, 64> text{};
  sodium_bin2base64(text.data(), text.size(), key.data(), key.size(), sodium_base64_VARIANT_ORIGINAL);
  std::filesystem::create_directories(keys_dir);
  const auto file = keys_dir / ("queue-" + id + ".key");
  {
    std::ofstream out(file, std::ios::trunc);
    out << text.data() << '\n';
    if (!out) throw std::runtime_error("cannot write " + file.string());
  }
  std::filesystem::permissions(file, std::filesystem::perms::owner_read | std::filesystem::perms::owner_write);
}

}  // namespace pse::testing
