#include "notice_template.hpp"

#include "base/yaml_reader.hpp"

#include <algorithm>
#include <fstream>
#include <sstream>

namespace pse::notify {
namespace {

bool is_name_char(char c, bool first) {
  return (c >= 'a' && c <= 'z') || c == '_' || (!first && c >= '0' && c <= '9');
}

// The line of a byte offset inside a scalar: yaml-cpp marks a block scalar (`|`, `>`) at its
// indicator, its text starting on the next line.
int line_in_scalar(const std::string& file_text, const YAML::Node& node, const std::string& value,
                   std::size_t offset) {
  const YAML::Mark mark = node.Mark();
  if (mark.is_null()) return 0;
  int line = mark.line + 1;
  const auto pos = static_cast<std::size_t>(mark.pos);
  if (pos < file_text.size() && (file_text[pos] == '|' || file_text[pos] == '>')) ++line;
  line += static_cast<int>(std::count(value.begin(), value.begin() + static_cast<std::ptrdiff_t>(std::min(offset, value.size())), '\n'));
  return line;
}

class Loader {
 public:
  Loader(std::filesystem::path file, const KnownFields& fields) : file_(std::move(file)), fields_(fields) {
    std::ifstream in(file_, std::ios::binary);
    std::stringstream text;
    text << in.rdbuf();
    text_ = text.str();
  }

  NoticeTemplate read(const YAML::Node& node) {
    YamlMap map(node, file_, "template");
    NoticeTemplate t;
    t.line = pse::line_of(node);
    t.id = map.required_string("id");
    t.category = map.required_string("category");
    if (t.category.rfind("notice.", 0) != 0 || t.category == "notice.status") {
      map.fail_key("category", "must be a notice category (notice.renewal_due, notice.appointment, notice.payment_due)");
    }
    t.suggestion = map.boolean_or("suggestion", false);
    t.placeholders = map.string_list("placeholders");
    check_known(map, "placeholders", t, t.placeholders);
    if (auto offsets = map.optional_node("offsets_days")) {
      if (!offsets->IsSequence() || offsets->size() == 0) {
        throw ConfigError(file_, pse::line_of(*offsets), "template '" + t.id + "': offsets_days must be a non-empty list");
      }
      std::vector<int> days;
      for (const auto& item : *offsets) {
        int value = -1;
        try {
          value = item.as<int>();
        } catch (const YAML::Exception&) {
        }
        if (value < 0 || value > 366) {
          throw ConfigError(file_, pse::line_of(item), "template '" + t.id + "': offsets_days must be 0 to 366");
        }
        days.push_back(value);
      }
      t.offsets_days = days;
    }
    if (auto email = map.optional_node("email")) {
      YamlMap email_map(*email, file_, "template '" + t.id + "' email");
      EmailTemplate e;
      e.subject = localized(email_map, "subject", t, "email.subject");
      e.body = localized(email_map, "body", t, "email.body");
      e.bilingual_subject = email_map.boolean_or("bilingual_subject", false);
      e.bilingual_body = email_map.boolean_or("bilingual_body", false);
      email_map.finish();
      t.email = std::move(e);
    }
    t.item_placeholders = map.string_list("item_placeholders");
    check_known(map, "item_placeholders", t, t.item_placeholders);
    if (map.has("item")) t.item = localized(map, "item", t, "item", t.item_placeholders);
    const bool lists = std::find(t.placeholders.begin(), t.placeholders.end(), kItemsPlaceholder) != t.placeholders.end();
    if (lists != t.item.has_value()) {
      map.fail(node, "template '" + t.id + "': an `item` text and the placeholder ((" + kItemsPlaceholder +
                         ")) go together");
    }
    if (map.has("sms")) t.sms = localized(map, "sms", t, "sms");
    if (!t.email && !t.sms) map.fail(node, "template '" + t.id + "' has neither email nor sms");
    map.finish();
    return t;
  }

 private:
  void check_known(YamlMap& map, const std::string& key, const NoticeTemplate& t, const std::vector<std::string>& names) {
    auto declared = map.optional_node(key);
    if (!declared) return;
    for (std::size_t i = 0; i < names.size(); ++i) {
      if (!fields_.contains(names[i])) {
        throw ConfigError(file_, pse::line_of((*declared)[i]),
                          "template '" + t.id + "': unknown placeholder '" + names[i] +
                              "' (not a field of the notice categories)");
      }
    }
  }

  LocalizedText localized(YamlMap& parent, const std::string& key, const NoticeTemplate& t, const std::string& where) {
    return localized(parent, key, t, where, t.placeholders);
  }

  LocalizedText localized(YamlMap& parent, const std::string& key, const NoticeTemplate& t, const std::string& where,
                          const std::vector<std::string>& declared) {
    YAML::Node node = parent.required_node(key);
    YamlMap map(node, file_, "template '" + t.id + "' " + where);
    LocalizedText text;
    text.fr = checked(map, "fr", t, where, declared);
    text.en = checked(map, "en", t, where, declared);
    map.finish();
    return text;
  }

  std::string checked(YamlMap& map, const std::string& language, const NoticeTemplate& t, const std::string& where,
                      const std::vector<std::string>& declared) {
    YAML::Node node = map.required_node(language);
    std::string value = map.required_string(language);
    const std::string what = "template '" + t.id + "' " + where + "." + language;
    PlaceholderScan scan = scan_placeholders(value);
    if (!scan.error.empty()) {
      throw ConfigError(file_, line_in_scalar(text_, node, value, scan.error_offset), what + ": " + scan.error);
    }
    for (const auto& name : scan.names) {
      if (std::find(declared.begin(), declared.end(), name) == declared.end()) {
        const std::size_t at = value.find("((" + name + "))");
        throw ConfigError(file_, line_in_scalar(text_, node, value, at),
                          what + ": unknown placeholder '" + name + "' (not in the template's placeholders)");
      }
    }
    // Subjects may leave values out; message bodies carry every declared value in each language
    // (an SMS may leave a list out: it does not fit).
    if (where != "email.subject") {
      for (const auto& name : declared) {
        if (where == "sms" && name == kItemsPlaceholder) continue;
        if (std::find(scan.names.begin(), scan.names.end(), name) == scan.names.end()) {
          throw ConfigError(file_, line_in_scalar(text_, node, value, 0),
                            what + ": missing placeholder '" + name + "' (declared but not used)");
        }
      }
    }
    return value;
  }

  std::filesystem::path file_;
  const KnownFields& fields_;
  std::string text_;
};

}  // namespace

std::optional<Language> language_from_string(const std::string& text) {
  if (text == "fr") return Language::fr;
  if (text == "en") return Language::en;
  return std::nullopt;
}

const KnownFields& notice_fields() {
  static const KnownFields fields = {"template", "due_date", "reference", "service_name", "amount",
                                     "appointment_time", "location",
                                     // notice.data_access, shown through the labels
                                     "consumer", "provider", "category", "purpose", "fields", "basis",
                                     "accessed_at", "audit_seq", "access_count", kItemsPlaceholder};
  return fields;
}

PlaceholderScan scan_placeholders(const std::string& text) {
  PlaceholderScan scan;
  std::size_t i = 0;
  while ((i = text.find("((", i)) != std::string::npos) {
    const std::size_t start = i + 2;
    const std::size_t end = text.find("))", start);
    if (end == std::string::npos) {
      scan.error = "'((' without a closing '))'";
      scan.error_offset = i;
      return scan;
    }
    const std::string name = text.substr(start, end - start);
    bool valid = !name.empty();
    for (std::size_t k = 0; k < name.size() && valid; ++k) valid = is_name_char(name[k], k == 0);
    if (!valid) {
      scan.error = "bad placeholder name '" + name + "' (lower-case letters, digits and _)";
      scan.error_offset = i;
      return scan;
    }
    scan.names.push_back(name);
    i = end + 2;
  }
  return scan;
}

TemplateSet TemplateSet::load(const std::filesystem::path& file, const KnownFields& fields) {
  YAML::Node root = load_yaml_file(file);
  YamlMap top(root, file, "templates file");
  YAML::Node list = top.required_node("templates");
  TemplateSet set;
  set.file_ = file;
  if (auto labels = top.optional_node("labels")) {
    if (!labels->IsMap()) top.fail(*labels, "labels must be a mapping of codes to {fr, en}");
    for (const auto& entry : *labels) {
      YamlMap label(entry.second, file, "label '" + entry.first.Scalar() + "'");
      LocalizedText text{label.required_string("fr"), label.required_string("en")};
      label.finish();
      set.labels_[entry.first.Scalar()] = std::move(text);
    }
  }
  top.finish();
  if (!list.IsSequence()) throw ConfigError(file, pse::line_of(list), "templates must be a list");
  Loader loader(file, fields);
  for (const auto& node : list) {
    NoticeTemplate t = loader.read(node);
    if (set.templates_.contains(t.id)) {
      throw ConfigError(file, t.line, "template '" + t.id + "' is defined twice");
    }
    set.templates_.emplace(t.id, std::move(t));
  }
  if (set.templates_.empty()) throw ConfigError(file, pse::line_of(list), "no template");
  return set;
}

const NoticeTemplate* TemplateSet::find(const std::string& id) const {
  auto it = templates_.find(id);
  return it == templates_.end() ? nullptr : &it->second;
}

const std::string& TemplateSet::label(const std::string& code, Language language) const {
  auto it = labels_.find(code);
  return it == labels_.end() ? code : it->second.in(language);
}

int TemplateSet::line_of(const std::string& id) const {
  const NoticeTemplate* t = find(id);
  return t ? t->line : 0;
}

}  // namespace pse::notify
