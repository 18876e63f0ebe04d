#include "adapters/xml/xml_path.hpp"

#include <libxml/tree.h>

#include <cstring>

namespace pse::adapters::xml {
namespace {

bool is_name(std::string_view name) {
  if (name.empty()) return false;
  for (char c : name) {
    const auto byte = static_cast<unsigned char>(c);
    // XML names may hold any non-ASCII letter; among ASCII, letters, digits and . - _.
    if (byte >= 0x80 || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' ||
        c == '-' || c == '_') {
      continue;
    }
    return false;
  }
  return !(name[0] >= '0' && name[0] <= '9') && name[0] != '-' && name[0] != '.';
}

}  // namespace

XmlPath parse_xml_path(std::string_view text, bool absolute, const std::map<std::string, std::string>& namespaces,
                       std::string& error) {
  XmlPath path;
  path.text = std::string(text);
  if (absolute != text.starts_with('/')) {
    error = absolute ? "must be absolute (start with '/')" : "must be relative to the record (no leading '/')";
    return {};
  }
  std::string_view rest = absolute ? text.substr(1) : text;
  while (true) {
    const std::size_t slash = rest.find('/');
    std::string_view step_text = rest.substr(0, slash);
    PathStep step;
    if (step_text.starts_with('@')) {
      step.attribute = true;
      step_text.remove_prefix(1);
    }
    const std::size_t colon = step_text.find(':');
    if (colon != std::string_view::npos) {
      const std::string prefix(step_text.substr(0, colon));
      const auto bound = namespaces.find(prefix);
      if (bound == namespaces.end()) {
        error = "uses prefix '" + prefix + "', which `namespaces` does not bind";
        return {};
      }
      step.namespace_uri = bound->second;
      step_text.remove_prefix(colon + 1);
    }
    if (!is_name(step_text)) {
      error = "has an invalid step '" + std::string(rest.substr(0, slash)) + "'";
      return {};
    }
    step.local_name = std::string(step_text);
    path.steps.push_back(std::move(step));
    if (slash == std::string_view::npos) break;
    if (path.steps.back().attribute) {
      error = "names an attribute before its last step";
      return {};
    }
    rest.remove_prefix(slash + 1);
  }
  return path;
}

namespace {

bool same_name(const xmlChar* name, const xmlNs* ns, const PathStep& step) {
  if (std::strcmp(reinterpret_cast<const char*>(name), step.local_name.c_str()) != 0) return false;
  if (!step.namespace_uri) return true;
  const char* uri = ns != nullptr ? reinterpret_cast<const char*>(ns->href) : "";
  return *step.namespace_uri == uri;
}

}  // namespace

bool matches(const _xmlNode* node, const PathStep& step) {
  return !step.attribute && node->type == XML_ELEMENT_NODE && same_name(node->name, node->ns, step);
}

bool matches(const _xmlAttr* attribute, const PathStep& step) {
  return step.attribute && same_name(attribute->name, attribute->ns, step);
}

void find_elements(_xmlNode* parent, const std::vector<PathStep>& steps, std::size_t first_step, std::size_t end_step,
                   std::vector<_xmlNode*>& found) {
  if (first_step == end_step) {
    found.push_back(parent);
    return;
  }
  for (xmlNode* child = parent->children; child != nullptr; child = child->next) {
    if (matches(child, steps[first_step])) find_elements(child, steps, first_step + 1, end_step, found);
  }
}

}  // namespace pse::adapters::xml
