// pse/expected.hpp — a value or an error, the one shape of "errors as values" in PSE.
//
// pse::Result<T> (the SDK's, with pse::Error) is Expected<T, Error>; modules with richer
// errors (the audit log's AuditError, the legacy codecs' LegacyError with file, record, offset
// and field) use the same template with their own error type.
#pragma once

#include <type_traits>
#include <utility>
#include <variant>

namespace pse {

/// The value of an operation that succeeds with nothing to say.
struct Ok {};

template <typename T, typename E>
class [[nodiscard]] Expected {
 public:
  Expected(T value) : state_(std::move(value)) {}  // NOLINT(google-explicit-constructor)
  Expected(E error) : state_(std::move(error)) {}  // NOLINT(google-explicit-constructor)

  /// A lower layer's error becomes this layer's where E is built from it (SqliteError to AuditError).
  template <typename G>
    requires(!std::is_same_v<std::decay_t<G>, E> && !std::is_convertible_v<G, T> && std::is_convertible_v<G, E>)
  Expected(G&& error) : state_(std::in_place_type<E>, std::forward<G>(error)) {}  // NOLINT(google-explicit-constructor)

  /// ... and so does a whole result, value and error alike.
  template <typename U, typename G>
    requires(!std::is_same_v<Expected<U, G>, Expected> && std::is_convertible_v<U, T> && std::is_convertible_v<G, E>)
  Expected(Expected<U, G> other)  // NOLINT(google-explicit-constructor)
      : state_(other.ok() ? std::variant<T, E>(std::in_place_type<T>, std::move(other).value())
                          : std::variant<T, E>(std::in_place_type<E>, other.error())) {}

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
