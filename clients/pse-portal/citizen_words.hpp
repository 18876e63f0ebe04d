// The words a citizen reads for the codes of the classification and the rules (categories,
// fields, purposes), French and English, from config/portal/words.yaml. A code without words
// is shown as it is rather than hidden: the page may be less pleasant, never less complete.
#pragma once

#include "words.hpp"

#include <filesystem>
#include <map>
#include <string>
#include <string_view>

namespace pse::portal {

class CitizenWords {
 public:
  CitizenWords() = default;
  /// Reads the file; throws ConfigError naming the file and line of anything malformed.
  static CitizenWords load(const std::filesystem::path& file);

  std::string category(std::string_view code, Language language) const;
  std::string field(std::string_view code, Language language) const;
  std::string purpose(std::string_view code, Language language) const;

 private:
  using Table = std::map<std::string, std::pair<std::string, std::string>, std::less<>>;
  static std::string find(const Table& table, std::string_view code, Language language);
  Table categories_, fields_, purposes_;
};

}  // namespace pse::portal
