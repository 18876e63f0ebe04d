// libxml2, configured so that an XML document from another system cannot attack the reader.
//
// The threats are the classic ones (OWASP XXE cheat sheet): external entities that read local
// files or reach the network (XXE, SSRF), entity expansion bombs ("billion laughs"), and
// documents deep or large enough to exhaust the stack or memory. The defences:
//   - any DOCTYPE is refused as soon as the parser meets it, before its internal subset is
//     read: the business documents we map never need one, and without a DTD there are no
//     entity declarations to expand or to point outside (entity declarations are refused too,
//     should one ever reach the handler);
//   - XML_PARSE_NONET, and neither XML_PARSE_NOENT (substitute entities) nor
//     XML_PARSE_DTDLOAD / DTDATTR / DTDVALID / XINCLUDE, nor XML_PARSE_HUGE, which would lift
//     libxml2's own limits;
//   - a size limit checked before parsing and a depth limit checked on every start tag.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

struct _xmlDoc;

namespace pse::adapters::xml {

struct XmlLimits {
  std::size_t max_bytes = 16U * 1024U * 1024U;  ///< a SOAP answer about one citizen is kilobytes
  int max_depth = 64;                           ///< business documents nest a dozen levels at most
};

struct XmlParseError {
  std::uint64_t line = 0;         ///< 1-based; 0 when the document as a whole is refused
  std::uint64_t byte_offset = 0;  ///< best known offset of the problem
  std::string reason;
};

struct XmlDocumentDeleter {
  void operator()(_xmlDoc* document) const noexcept;
};
using XmlDocument = std::unique_ptr<_xmlDoc, XmlDocumentDeleter>;

/// Parses `input` safely. Returns the document, or nullptr with `error` filled in.
/// `name` labels the document for libxml2 (it is never opened).
XmlDocument parse_xml_safely(std::string_view input, const XmlLimits& limits, XmlParseError& error);

/// The byte offset of the start of 1-based `line` in `input` (input.size() past the end).
std::size_t offset_of_line(std::string_view input, std::uint64_t line);

}  // namespace pse::adapters::xml
