#include <pse/registry.hpp>

namespace pse {

std::string registry_path(std::initializer_list<std::string_view> segments) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string path = "/v1";
  for (const std::string_view segment : segments) {
    path += '/';
    for (const char c : segment) {
      const auto byte = static_cast<unsigned char>(c);
      const bool unreserved = (byte >= 'A' && byte <= 'Z') || (byte >= 'a' && byte <= 'z') ||
                              (byte >= '0' && byte <= '9') || c == '-' || c == '.' || c == '_' || c == '~';
      if (unreserved) {
        path += c;
      } else {
        path += '%';
        path += kHex[byte >> 4];
        path += kHex[byte & 15];
      }
    }
  }
  return path;
}

}  // namespace pse
