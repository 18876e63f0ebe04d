// SOAP 1.1 and 1.2 envelopes: check the envelope, find the body, turn a Fault into an error.
//
// A SOAP answer that carries a Fault instead of data must never decode as "zero records":
// the caller would conclude the citizen has no record, when the other system failed.
#pragma once

#include <string>

struct _xmlNode;

namespace pse::adapters::xml {

inline constexpr const char* soap11_namespace = "http://schemas.xmlsoap.org/soap/envelope/";
inline constexpr const char* soap12_namespace = "http://www.w3.org/2003/05/soap-envelope";

struct SoapCheck {
  int version = 0;           ///< 11 or 12 when the envelope is valid
  _xmlNode* body = nullptr;  ///< the Body element
  _xmlNode* at = nullptr;    ///< where the problem is, for its line
  std::string error;         ///< empty when the envelope is valid and holds no Fault
};

SoapCheck check_soap_envelope(_xmlNode* root);

}  // namespace pse::adapters::xml
