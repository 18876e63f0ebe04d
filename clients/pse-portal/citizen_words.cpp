#include "citizen_words.hpp"

#include "base/yaml_reader.hpp"

namespace pse::portal {

CitizenWords CitizenWords::load(const std::filesystem::path& file) {
  const YAML::Node root = load_yaml_file(file);
  YamlMap top(root, file, "portal words");
  CitizenWords words;
  const auto read_table = [&](const char* key, Table& table) {
    const auto node = top.optional_node(key);
    if (!node) return;
    if (!node->IsMap()) top.fail_key(key, "must be a map of code → {fr, en}");
    for (const auto& entry : *node) {
      const std::string code = entry.first.as<std::string>();
      YamlMap both(entry.second, file, std::string(key) + "." + code);
      std::string fr = both.required_string("fr");
      std::string en = both.required_string("en");
      both.finish();
      table.emplace(code, std::pair(std::move(fr), std::move(en)));
    }
  };
  read_table("categories", words.categories_);
  read_table("fields", words.fields_);
  read_table("purposes", words.purposes_);
  top.finish();
  return words;
}

std::string CitizenWords::find(const Table& table, std::string_view code, Language language) {
  const auto it = table.find(code);
  if (it == table.end()) return std::string(code);
  return language == Language::en ? it->second.second : it->second.first;
}

std::string CitizenWords::category(std::string_view code, Language language) const {
  return find(categories_, code, language);
}
std::string CitizenWords::field(std::string_view code, Language language) const { return find(fields_, code, language); }
std::string CitizenWords::purpose(std::string_view code, Language language) const {
  return find(purposes_, code, language);
}

}  // namespace pse::portal
