// Simple paths that pick records and fields out of an XML document.
//
//     /Envelope/Body/ReponseCitoyen/Citoyen     an absolute path to the record elements
//     Adresse/Ville                             a field, relative to its record element
//     @nas                                      an attribute of the record element
//     c:Nom                                     a step bound to a namespace by its prefix
//
// Namespaces, sensibly: a step without a prefix matches the local name in any namespace (so a
// schema need not repeat the SOAP or vendor URIs that never disambiguate anything); a step
// with a prefix matches only in the namespace the schema binds that prefix to. Prefixes in
// the document itself are irrelevant, as XML Namespaces require.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

struct _xmlNode;
struct _xmlAttr;

namespace pse::adapters::xml {

struct PathStep {
  std::string local_name;
  std::optional<std::string> namespace_uri;  ///< nullopt: any namespace
  bool attribute = false;                    ///< only the last step may be an attribute
};

struct XmlPath {
  std::vector<PathStep> steps;
  std::string text;  ///< as written in the schema, for messages
};

/// Parses a path; returns the reason it is invalid in `error` (and an empty path).
/// `absolute` says whether it must start with '/'.
XmlPath parse_xml_path(std::string_view text, bool absolute, const std::map<std::string, std::string>& namespaces,
                       std::string& error);

/// Whether `node` is an element matching `step`.
bool matches(const _xmlNode* node, const PathStep& step);
/// Whether `attribute` matches the attribute step `step`.
bool matches(const _xmlAttr* attribute, const PathStep& step);

/// The elements reached from `parent` by following the element steps [first_step, end_step).
void find_elements(_xmlNode* parent, const std::vector<PathStep>& steps, std::size_t first_step, std::size_t end_step,
                   std::vector<_xmlNode*>& found);

}  // namespace pse::adapters::xml
