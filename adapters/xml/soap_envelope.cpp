#include "adapters/xml/soap_envelope.hpp"

#include <libxml/tree.h>

#include <cstring>

namespace pse::adapters::xml {
namespace {

bool is_element(const xmlNode* node, const char* local_name, const char* uri) {
  if (node->type != XML_ELEMENT_NODE || std::strcmp(reinterpret_cast<const char*>(node->name), local_name) != 0) {
    return false;
  }
  if (uri == nullptr) return true;
  return node->ns != nullptr && std::strcmp(reinterpret_cast<const char*>(node->ns->href), uri) == 0;
}

xmlNode* child(xmlNode* parent, const char* local_name, const char* uri) {
  for (xmlNode* node = parent->children; node != nullptr; node = node->next) {
    if (is_element(node, local_name, uri)) return node;
  }
  return nullptr;
}

std::string text_of(xmlNode* node) {
  if (node == nullptr) return {};
  xmlChar* content = xmlNodeGetContent(node);
  std::string text = content != nullptr ? reinterpret_cast<const char*>(content) : "";
  xmlFree(content);
  // Faults are read by people: collapse the indentation of pretty-printed XML.
  std::string collapsed;
  bool space = false;
  for (char c : text) {
    if (c == ' ' || c == '\n' || c == '\r' || c == '\t') {
      space = !collapsed.empty();
      continue;
    }
    if (space) collapsed.push_back(' ');
    space = false;
    collapsed.push_back(c);
  }
  return collapsed.substr(0, 300);
}

}  // namespace

SoapCheck check_soap_envelope(xmlNode* root) {
  SoapCheck check;
  check.at = root;
  const char* uri = nullptr;
  if (is_element(root, "Envelope", soap11_namespace)) {
    check.version = 11;
    uri = soap11_namespace;
  } else if (is_element(root, "Envelope", soap12_namespace)) {
    check.version = 12;
    uri = soap12_namespace;
  } else {
    check.error = std::string("not a SOAP envelope: the root element is '") +
                  reinterpret_cast<const char*>(root->name) + "'" +
                  (root->ns != nullptr ? std::string(" in namespace ") + reinterpret_cast<const char*>(root->ns->href)
                                       : std::string(" without a namespace"));
    return check;
  }
  check.body = child(root, "Body", uri);
  if (check.body == nullptr) {
    check.error = "SOAP envelope has no Body";
    return check;
  }
  xmlNode* fault = child(check.body, "Fault", uri);
  if (fault == nullptr) return check;
  check.at = fault;
  if (check.version == 11) {
    check.error = "SOAP 1.1 fault: " + text_of(child(fault, "faultcode", nullptr)) + ": " +
                  text_of(child(fault, "faultstring", nullptr));
  } else {
    xmlNode* code = child(fault, "Code", uri);
    xmlNode* reason = child(fault, "Reason", uri);
    check.error = "SOAP 1.2 fault: " + text_of(code != nullptr ? child(code, "Value", uri) : nullptr) + ": " +
                  text_of(reason != nullptr ? child(reason, "Text", uri) : nullptr);
  }
  return check;
}

}  // namespace pse::adapters::xml
