// pse/result.hpp — errors as values, with the shared reason codes.
//
// Functions on the request path return `pse::Result<T>`: either a value or a `pse::Error`
// (a Reason plus a message a person can act on). No exception crosses the API on that path.
//
//     pse::Result<Record> r = client.exchange(request);
//     if (!r) { log(r.error().reason, r.error().message); return; }
//     use(r.value());
#pragma once

#include <pse/expected.hpp>
#include <pse/reason.hpp>

#include <string>
#include <utility>

namespace pse {

struct Error {
  Reason reason;
  std::string message;  ///< human text; empty means describe(reason)
};

template <typename T>
using Result = Expected<T, Error>;

/// The value of a Result that carries none.
struct Done {};
using Status = Result<Done>;

inline Error make_error(Reason reason, std::string message = {}) { return Error{reason, std::move(message)}; }

}  // namespace pse
