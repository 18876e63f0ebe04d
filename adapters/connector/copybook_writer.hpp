// A delivery written as one record of a copybook layout (the inverse of the copybook source):
// the subject into the key item, each classification field into its item, a list field's
// items into the occurrences of an OCCURS group (its DEPENDING ON counter set to their number).
// Items nobody maps are written blank (text) or zero (numbers). Values are never truncated or
// rounded: a value that does not fit its item is an error naming the item.
#pragma once

#include "adapters/connector/connector_config.hpp"
#include "adapters/copybook/copybook_layout.hpp"

#include <pse/result.hpp>

#include <boost/json/object.hpp>

#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace pse::connector {

class CopybookWriter {
 public:
  /// Checks every mapping against `layout` (which must hold no REDEFINES). Throws ConfigError
  /// at the mapping's line of `file`.
  CopybookWriter(std::shared_ptr<const legacy::CopybookLayout> layout, const std::string& key,
                 std::vector<OutputField> fields, const std::filesystem::path& file, int key_line);

  /// The record's bytes, unframed; provider_error naming the item when a value cannot be written.
  pse::Result<std::string> encode(std::string_view subject, const boost::json::object& record) const;

 private:
  struct Walk;
  std::shared_ptr<const legacy::CopybookLayout> layout_;
  const legacy::LayoutNode* key_ = nullptr;
  std::vector<OutputField> fields_;
  std::map<const legacy::LayoutNode*, const OutputField*> plain_;  ///< elementary item → its field
  std::map<const legacy::LayoutNode*, const OutputField*> lists_;  ///< OCCURS group → its list field
  std::map<const legacy::LayoutNode*, const OutputField*> items_;  ///< item inside a group → its sub-field
};

/// A canonical date ("YYYY-MM-DD") written as `format` says (%Y, %m, %d and literal characters);
/// std::nullopt when `date` is not one.
std::optional<std::string> format_date(std::string_view date, std::string_view format);

}  // namespace pse::connector
