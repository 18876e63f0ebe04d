// What every page of the portal is made of: the layout (skip link, header, navigation,
// sign-out, language switch, main) and small readers of the broker's JSON.
#pragma once

#include "pages.hpp"

#include <boost/json.hpp>

#include <string>
#include <string_view>
#include <vector>

namespace pse::portal {

struct NavItem {
  const char* path;
  Words label;
};

/// The pages a signed-in citizen can go to from every page, in order.
std::vector<NavItem> navigation(const PageContext& context);

/// The whole page around `content`; `has_errors` puts "Erreur : " in the title.
std::string page_layout(const PageContext& context, Words title, const std::string& content, bool has_errors = false);

/// A string or integer member as text; empty when absent or of another type.
std::string text_of(const boost::json::object& object, std::string_view key);

/// "2026-12-07T18:09:06Z" → "2026-12-07 18:09 UTC": the citizen reads a date, not a format.
std::string readable_time(const std::string& rfc3339);

/// The strings of a JSON array, each through `name`, joined with commas.
template <typename Name>
std::string named_list(const boost::json::value* list, Name name) {
  std::string out;
  if (list == nullptr || !list->is_array()) return out;
  for (const auto& item : list->as_array()) {
    if (!item.is_string()) continue;
    if (!out.empty()) out += ", ";
    out += name(std::string_view(item.as_string()));
  }
  return out;
}

}  // namespace pse::portal
