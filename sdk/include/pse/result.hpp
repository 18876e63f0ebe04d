// pse/result.hpp — errors as values, with the shared reason codes.
//
// Functions on the request path return `pse::Result<T>`: either a value or a `pse::Error`
// (a Reason plus a message a person can act on). No exception crosses the API on that path.
//
//     pse::Result<Record> r = client.exchange(request);
//     if (!r) { log(r.error().reason, r.error().message); return; }
//     use(r.value());
#pragma once

#include <pse/reason.hpp>

#include <string>
#include <utility>
#include <variant>

namespace pse {

struct Error {
  Reason reason;
  std::string message;  ///< human text; empty means describe(reason)
};

template <typename T>
class [[nodiscard]] Result {
 public:
  Result(T value) : state_(std::move(value)) {}      // NOLINT(google-explicit-constructor)
  Result(Error error) : state_(std::move(error)) {}  // NOLINT(google-explicit-constructor)

  bool ok() const noexcept { return std::holds_alternative<T>(state_); }
  explicit operator bool() const noexcept { return ok(); }

  T& value() & { return std::get<T>(state_); }
  const T& value() const& { return std::get<T>(state_); }
  T&& value() && { return std::get<T>(std::move(state_)); }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }
  T& operator*() & { return value(); }
  const T& operator*() const& { return value(); }
  T&& operator*() && { return std::move(value()); }

  const Error& error() const { return std::get<Error>(state_); }

 private:
  std::variant<T, Error> state_;
};

/// The value of a Result that carries none.
struct Done {};
using Status = Result<Done>;

inline Error make_error(Reason reason, std::string message = {}) { return Error{reason, std::move(message)}; }

}  // namespace pse
