// pse/expected.hpp — a value or an error, the one shape of "errors as values" in PSE.
//
// pse::Result<T> (the SDK's, with pse::Error) is Expected<T, Error>; modules with richer
// errors (the audit log's AuditError, the legacy codecs' LegacyError with file, record, offset
// and field) use the same template with their own error type.
#pragma once

#include <utility>
#include <variant>

namespace pse {

template <typename T, typename E>
class [[nodiscard]] Expected {
 public:
  Expected(T value) : state_(std::move(value)) {}  // NOLINT(google-explicit-constructor)
  Expected(E error) : state_(std::move(error)) {}  // NOLINT(google-explicit-constructor)

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

  const E& error() const& { return std::get<E>(state_); }
  E& error() & { return std::get<E>(state_); }

 private:
  std::variant<T, E> state_;
};

}  // namespace pse
