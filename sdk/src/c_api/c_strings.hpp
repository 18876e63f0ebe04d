// Helpers of the C ABI: strings handed out with malloc (freed by pse_string_free), options
// converted with their defaults, errors written to out parameters.
#pragma once

#include <pse/client_options.hpp>
#include <pse/pse.h>
#include <pse/result.hpp>

#include <string_view>

namespace pse::c_api {

/// Sets *out (when out is not null) to a malloc'd copy of `text`.
void set_string(char** out, std::string_view text);
/// Clears the out parameters the caller passed.
void clear(char** first, char** second = nullptr, char** third = nullptr);
/// Writes the error's code and message; returns its HTTP status.
int report(const Error& error, char** error_code, char** error_message);
/// The C options with their defaults, as the C++ options.
ClientOptions to_options(const pse_client_options& options);

}  // namespace pse::c_api
