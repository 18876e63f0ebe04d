#include "adapters/xml/safe_xml_parser.hpp"

#include <libxml/SAX2.h>
#include <libxml/parser.h>
#include <libxml/xmlerror.h>

#include <climits>
#include <mutex>

namespace pse::adapters::xml {
namespace {

// What our SAX hooks found; reached from the parser context's _private pointer.
struct ParseState {
  int max_depth = 0;
  int depth = 0;
  std::string refusal;  ///< non-empty once a hook stopped the parser
  std::uint64_t refusal_line = 0;
  // The first error libxml2 reports is the cause; later ones are its consequences.
  bool has_error = false;
  std::string error_message;
  std::uint64_t error_line = 0;
  std::uint64_t error_column = 0;
};

ParseState& state_of(void* context) {
  auto* parser = static_cast<xmlParserCtxtPtr>(context);
  return *static_cast<ParseState*>(parser->_private);
}

void refuse(void* context, std::string reason) {
  auto* parser = static_cast<xmlParserCtxtPtr>(context);
  ParseState& state = state_of(context);
  if (state.refusal.empty()) {
    state.refusal = std::move(reason);
    state.refusal_line = parser->input != nullptr ? static_cast<std::uint64_t>(parser->input->line) : 0;
  }
  xmlStopParser(parser);
}

void refuse_doctype(void* context, const xmlChar*, const xmlChar*, const xmlChar*) {
  refuse(context, "DOCTYPE refused: documents with a document type declaration are not accepted "
                  "(it could declare external or recursively expanding entities)");
}

void refuse_entity(void* context, const xmlChar* name, int, const xmlChar*, const xmlChar*, xmlChar*) {
  refuse(context, std::string("entity declaration refused: '") + reinterpret_cast<const char*>(name) + "'");
}

void start_element(void* context, const xmlChar* local_name, const xmlChar* prefix, const xmlChar* uri,
                   int namespace_count, const xmlChar** namespaces, int attribute_count, int defaulted_count,
                   const xmlChar** attributes) {
  ParseState& state = state_of(context);
  if (++state.depth > state.max_depth) {
    refuse(context, "document nests deeper than " + std::to_string(state.max_depth) + " elements");
    return;
  }
  xmlSAX2StartElementNs(context, local_name, prefix, uri, namespace_count, namespaces, attribute_count,
                        defaulted_count, attributes);
}

void end_element(void* context, const xmlChar* local_name, const xmlChar* prefix, const xmlChar* uri) {
  --state_of(context).depth;
  xmlSAX2EndElementNs(context, local_name, prefix, uri);
}

void record_error(void* context, xmlErrorPtr error) {
  ParseState& state = state_of(context);
  if (state.has_error || error == nullptr || error->level < XML_ERR_ERROR) return;
  state.has_error = true;
  state.error_message = error->message != nullptr ? error->message : "unknown error";
  state.error_line = error->line > 0 ? static_cast<std::uint64_t>(error->line) : 0;
  state.error_column = error->int2 > 0 ? static_cast<std::uint64_t>(error->int2) : 0;
}

// Errors libxml2 raises outside a parser context (character encoding conversion) go to its
// thread-local "generic" handler, which prints to stderr; the parse result already says what
// went wrong, so they are silenced for the duration of one parse.
void ignore_generic_error(void*, const char*, ...) {}

class QuietGenericErrors {
 public:
  QuietGenericErrors() : handler_(xmlGenericError), context_(xmlGenericErrorContext) {
    xmlSetGenericErrorFunc(nullptr, ignore_generic_error);
  }
  ~QuietGenericErrors() { xmlSetGenericErrorFunc(context_, handler_); }
  QuietGenericErrors(const QuietGenericErrors&) = delete;
  QuietGenericErrors& operator=(const QuietGenericErrors&) = delete;

 private:
  xmlGenericErrorFunc handler_;
  void* context_;
};

struct ParserContextDeleter {
  void operator()(xmlParserCtxt* context) const noexcept { xmlFreeParserCtxt(context); }
};

std::string trim(std::string text) {
  while (!text.empty() && (text.back() == '\n' || text.back() == ' ')) text.pop_back();
  return text;
}

}  // namespace

void XmlDocumentDeleter::operator()(_xmlDoc* document) const noexcept { xmlFreeDoc(document); }

std::size_t offset_of_line(std::string_view input, std::uint64_t line) {
  std::size_t offset = 0;
  for (std::uint64_t current = 1; current < line; ++current) {
    const std::size_t newline = input.find('\n', offset);
    if (newline == std::string_view::npos) return input.size();
    offset = newline + 1;
  }
  return offset;
}

XmlDocument parse_xml_safely(std::string_view input, const XmlLimits& limits, XmlParseError& error) {
  // libxml2 asks for one initialisation before parsing from several threads.
  static std::once_flag initialised;
  std::call_once(initialised, [] { xmlInitParser(); });

  if (input.size() > limits.max_bytes) {
    error = XmlParseError{0, limits.max_bytes,
                          "document is " + std::to_string(input.size()) + " bytes, more than the limit of " +
                              std::to_string(limits.max_bytes)};
    return nullptr;
  }
  if (input.size() > static_cast<std::size_t>(INT_MAX)) {
    error = XmlParseError{0, 0, "document too large for the XML parser"};
    return nullptr;
  }
  std::unique_ptr<xmlParserCtxt, ParserContextDeleter> context(xmlNewParserCtxt());
  if (!context) {
    error = XmlParseError{0, 0, "out of memory creating the XML parser"};
    return nullptr;
  }
  ParseState state;
  state.max_depth = limits.max_depth;
  context->_private = &state;
  context->sax->internalSubset = refuse_doctype;
  context->sax->externalSubset = refuse_doctype;
  context->sax->entityDecl = refuse_entity;
  context->sax->startElementNs = start_element;
  context->sax->endElementNs = end_element;
  context->sax->serror = record_error;
  const QuietGenericErrors quiet;

  constexpr int options = XML_PARSE_NONET | XML_PARSE_NOCDATA | XML_PARSE_BIG_LINES | XML_PARSE_NOERROR |
                          XML_PARSE_NOWARNING;
  XmlDocument document(xmlCtxtReadMemory(context.get(), input.data(), static_cast<int>(input.size()),
                                         "document.xml", nullptr, options));
  if (!state.refusal.empty()) {
    error = XmlParseError{state.refusal_line, offset_of_line(input, state.refusal_line), state.refusal};
    return nullptr;
  }
  if (!document || context->wellFormed == 0) {
    if (state.has_error) {
      const std::uint64_t line = state.error_line;
      const std::size_t column = state.error_column > 0 ? static_cast<std::size_t>(state.error_column - 1) : 0;
      error = XmlParseError{line, std::min(input.size(), offset_of_line(input, line) + column),
                            "malformed XML: " + trim(state.error_message)};
    } else {
      error = XmlParseError{0, 0, "malformed XML"};
    }
    return nullptr;
  }
  return document;
}

}  // namespace pse::adapters::xml
