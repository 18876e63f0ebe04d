#include "adapters/xml/xml_decoder.hpp"

#include "adapters/xml/soap_envelope.hpp"

#include <libxml/tree.h>

#include <algorithm>
#include <cstring>
#include <fstream>
#include <memory>
#include <sstream>

namespace pse::adapters::xml {
namespace {

constexpr const char* schema_instance_namespace = "http://www.w3.org/2001/XMLSchema-instance";

struct XmlFreeDeleter {
  void operator()(xmlChar* text) const noexcept { xmlFree(text); }
};
using XmlText = std::unique_ptr<xmlChar, XmlFreeDeleter>;

bool has_element_children(const xmlNode* node) {
  for (const xmlNode* child = node->children; child != nullptr; child = child->next) {
    if (child->type == XML_ELEMENT_NODE) return true;
  }
  return false;
}

bool is_nil(xmlNode* element) {
  XmlText nil(xmlGetNsProp(element, reinterpret_cast<const xmlChar*>("nil"),
                           reinterpret_cast<const xmlChar*>(schema_instance_namespace)));
  if (!nil) return false;
  const char* value = reinterpret_cast<const char*>(nil.get());
  return std::strcmp(value, "true") == 0 || std::strcmp(value, "1") == 0;
}

// XML Schema collapses whitespace around numbers, dates and booleans; strings keep theirs.
std::string_view trim_xml_whitespace(std::string_view text) {
  const auto is_space = [](char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; };
  while (!text.empty() && is_space(text.front())) text.remove_prefix(1);
  while (!text.empty() && is_space(text.back())) text.remove_suffix(1);
  return text;
}

std::string quote_value(std::string_view text) {
  constexpr std::size_t shown = 40;
  std::size_t cut = std::min(shown, text.size());
  while (cut < text.size() && cut > 0 && (static_cast<unsigned char>(text[cut]) & 0xC0U) == 0x80U) --cut;
  return "'" + std::string(text.substr(0, cut)) + (cut < text.size() ? "…'" : "'");
}

class Decoder {
 public:
  Decoder(std::string_view input, std::string_view file_name, const XmlSchema& schema)
      : input_(input), file_name_(file_name), schema_(schema), builder_(schema.on_error) {}

  DecodeOutcome run() && {
    XmlParseError parse_error;
    const XmlDocument document = parse_xml_safely(input_, schema_.limits, parse_error);
    if (!document) {
      builder_.reject_file(file_error(parse_error.line, parse_error.byte_offset, parse_error.reason));
      return std::move(builder_).finish();
    }
    xmlNode* root = xmlDocGetRootElement(document.get());
    if (root == nullptr) {
      builder_.reject_file(file_error(0, 0, "document has no root element"));
      return std::move(builder_).finish();
    }
    if (schema_.soap) {
      const SoapCheck soap = check_soap_envelope(root);
      if (!soap.error.empty()) {
        const auto line = static_cast<std::uint64_t>(xmlGetLineNo(soap.at));
        builder_.reject_file(file_error(line, offset_of(line), soap.error));
        return std::move(builder_).finish();
      }
    }
    const auto& steps = schema_.record_path.steps;
    if (!matches(root, steps[0])) {
      builder_.reject_file(file_error(1, 0,
                                      std::string("root element is '") + reinterpret_cast<const char*>(root->name) +
                                          "', record_path " + schema_.record_path.text + " expects '" +
                                          steps[0].local_name + "'" +
                                          (steps[0].namespace_uri ? " in " + *steps[0].namespace_uri : "")));
      return std::move(builder_).finish();
    }
    std::vector<xmlNode*> records;
    find_elements(root, steps, 1, steps.size(), records);
    builder_.reserve(records.size());
    std::uint64_t record_number = 0;
    for (xmlNode* element : records) {
      if (!decode_record(element, ++record_number)) break;
    }
    return std::move(builder_).finish();
  }

 private:
  std::uint64_t offset_of(std::uint64_t line) {
    if (line == 0) return 0;
    if (line_starts_.empty()) {
      line_starts_.push_back(0);
      for (std::size_t i = 0; i < input_.size(); ++i) {
        if (input_[i] == '\n') line_starts_.push_back(i + 1);
      }
    }
    return line <= line_starts_.size() ? line_starts_[line - 1] : input_.size();
  }

  DecodeError file_error(std::uint64_t line, std::uint64_t offset, std::string reason) const {
    DecodeError error;
    error.file = std::string(file_name_);
    if (line > 0) error.line = line;
    error.byte_offset = offset;
    error.reason = std::move(reason);
    return error;
  }

  DecodeError record_error(xmlNode* record, xmlNode* at, std::uint64_t record_number, const std::string& field,
                           std::string reason) {
    DecodeError error;
    error.file = std::string(file_name_);
    error.record = record_number;
    const auto line = static_cast<std::uint64_t>(std::max(0L, xmlGetLineNo(at)));
    if (line > 0) error.line = line;
    error.byte_offset = offset_of(line);
    error.field = field;
    error.reason = std::move(reason);
    error.raw = serialise(record);
    return error;
  }

  std::string serialise(xmlNode* element) const {
    xmlBufferPtr buffer = xmlBufferCreate();
    if (buffer == nullptr) return {};
    xmlNodeDump(buffer, element->doc, element, 0, 0);
    std::string text(reinterpret_cast<const char*>(xmlBufferContent(buffer)),
                     std::min(static_cast<std::size_t>(xmlBufferLength(buffer)), max_raw_bytes));
    xmlBufferFree(buffer);
    return text;
  }

  bool decode_record(xmlNode* element, std::uint64_t record_number) {
    Record record;
    record.reserve(schema_.fields.size());
    for (const XmlField& field : schema_.fields) {
      xmlNode* at = element;
      std::string reason;
      ParsedValue parsed = read_field(element, field, at, reason);
      if (reason.empty() && parsed.error != nullptr) reason = parsed.error;
      if (!reason.empty()) return builder_.reject(record_error(element, at, record_number, field.spec.name, reason));
      record.add(field.spec.name, std::move(parsed.value));
    }
    builder_.accept(std::move(record));
    return true;
  }

  // Finds the one node at the field's path and parses its text. A reason that is not a
  // value error (ambiguous path, not a leaf) comes back in `reason`.
  ParsedValue read_field(xmlNode* element, const XmlField& field, xmlNode*& at, std::string& reason) {
    const auto& steps = field.path.steps;
    const bool attribute = steps.back().attribute;
    found_.clear();
    // For an attribute, walk the element steps before it; the attribute is looked up below.
    find_elements(element, steps, 0, attribute ? steps.size() - 1 : steps.size(), found_);
    std::size_t matched = 0;
    xmlNode* node = nullptr;
    xmlAttr* attribute_node = nullptr;
    for (xmlNode* candidate : found_) {
      if (!attribute) {
        node = candidate;
        ++matched;
        continue;
      }
      for (xmlAttr* property = candidate->properties; property != nullptr; property = property->next) {
        if (matches(property, steps.back())) {
          node = candidate;
          attribute_node = property;
          ++matched;
        }
      }
    }
    if (node != nullptr) at = node;
    if (matched > 1) {
      reason = "path " + field.path.text + " matches " + std::to_string(matched) + " nodes; a field needs exactly one";
      return ParsedValue{};
    }
    if (matched == 0) {
      ParsedValue missing = parse_field_value("", field.spec);
      if (missing.error != nullptr) reason = std::string(missing.error) + ": nothing at path " + field.path.text;
      return missing;
    }
    if (!attribute) {
      if (has_element_children(node)) {
        reason = "element at path " + field.path.text + " has child elements; map one of its leaves";
        return ParsedValue{};
      }
      if (is_nil(node)) {
        ParsedValue nil = parse_field_value("", field.spec);
        if (nil.error != nullptr) reason = std::string(nil.error) + ": the element is xsi:nil";
        return nil;
      }
    }
    XmlText content(attribute_node != nullptr ? xmlNodeGetContent(reinterpret_cast<xmlNode*>(attribute_node))
                                              : xmlNodeGetContent(node));
    std::string_view text = content ? reinterpret_cast<const char*>(content.get()) : "";
    if (field.spec.type != FieldType::string) text = trim_xml_whitespace(text);
    ParsedValue parsed = parse_field_value(text, field.spec);
    if (parsed.error != nullptr && !text.empty()) reason = std::string(parsed.error) + ": " + quote_value(text);
    return parsed;
  }

  std::string_view input_;
  std::string_view file_name_;
  const XmlSchema& schema_;
  OutcomeBuilder builder_;
  std::vector<xmlNode*> found_;
  std::vector<std::uint64_t> line_starts_;
};

}  // namespace

DecodeOutcome decode_xml(std::string_view input, std::string_view file_name, const XmlSchema& schema) {
  return Decoder(input, file_name, schema).run();
}

pse::Result<DecodeOutcome> decode_xml_file(const std::filesystem::path& file, const XmlSchema& schema) {
  std::error_code error;
  const auto size = std::filesystem::file_size(file, error);
  if (error) return pse::make_error(Reason::malformed_request, "cannot open " + file.string() + ": " + error.message());
  if (size > schema.limits.max_bytes) {
    // Refused before reading: the limit protects memory as well as the parser.
    OutcomeBuilder builder(schema.on_error);
    DecodeError too_large;
    too_large.file = file.string();
    too_large.byte_offset = schema.limits.max_bytes;
    too_large.reason = "document is " + std::to_string(size) + " bytes, more than the limit of " +
                       std::to_string(schema.limits.max_bytes);
    builder.reject_file(std::move(too_large));
    return std::move(builder).finish();
  }
  std::ifstream in(file, std::ios::binary);
  if (!in) return pse::make_error(Reason::malformed_request, "cannot open " + file.string());
  std::stringstream bytes;
  bytes << in.rdbuf();
  return decode_xml(bytes.view(), file.string(), schema);
}

}  // namespace pse::adapters::xml
