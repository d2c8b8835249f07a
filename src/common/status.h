// Status and StatusOr: the one error model of pareto.
//
// Expected failures (bad input, missing table, commit conflict, I/O) are values
// of type Status or StatusOr<T>; both are [[nodiscard]]. They are turned into an
// exit code and a one-line message only at the edge (cli/main.cc). Exceptions
// and asserts are for bugs only.
//
// Thread safety: plain values; safe to copy between threads.
#pragma once

#include <expected>
#include <string>
#include <string_view>
#include <utility>

namespace pareto {

enum class StatusCode {
  kOk = 0,
  kInvalidArgument,  // the caller's request is malformed (usage errors)
  kNotFound,         // a table, file, version or name does not exist
  kAlreadyExists,    // put-if-absent lost: the thing is already there
  kDataError,        // the data does not fit what was declared (schema, header)
  kConflict,         // a concurrent writer committed something incompatible
  kUnsupported,      // a valid request we do not implement (e.g. a Delta feature)
  kIoError,          // the file system refused
  kResourceExhausted,  // a query limit was reached (time, memory): the request may work with more
  kPermissionDenied,   // the principal lacks a privilege (catalog/grants.h); the refusal is audited
  kInternal,         // a bug or an engine failure we did not expect
};

std::string_view StatusCodeName(StatusCode code);

class [[nodiscard]] Status {
 public:
  Status() = default;
  Status(StatusCode code, std::string message) : code_(code), message_(std::move(message)) {}

  static Status Ok() { return Status(); }

  bool ok() const { return code_ == StatusCode::kOk; }
  StatusCode code() const { return code_; }
  const std::string& message() const { return message_; }

  // "message" for an OK status prints "OK".
  std::string ToString() const;

  // Prefixes the message with where it happened: "brz_orders: <message>".
  Status WithContext(std::string_view context) const;

  // For code that has already decided to ignore a failure (e.g. best-effort cleanup).
  void IgnoreError() const {}

  friend bool operator==(const Status& a, const Status& b) {
    return a.code_ == b.code_ && a.message_ == b.message_;
  }

 private:
  StatusCode code_ = StatusCode::kOk;
  std::string message_;
};

template <class T>
using StatusOr = std::expected<T, Status>;

inline Status OkStatus() { return Status(); }
inline Status InvalidArgument(std::string m) { return {StatusCode::kInvalidArgument, std::move(m)}; }
inline Status NotFound(std::string m) { return {StatusCode::kNotFound, std::move(m)}; }
inline Status AlreadyExists(std::string m) { return {StatusCode::kAlreadyExists, std::move(m)}; }
inline Status DataError(std::string m) { return {StatusCode::kDataError, std::move(m)}; }
inline Status Conflict(std::string m) { return {StatusCode::kConflict, std::move(m)}; }
inline Status Unsupported(std::string m) { return {StatusCode::kUnsupported, std::move(m)}; }
inline Status IoError(std::string m) { return {StatusCode::kIoError, std::move(m)}; }
inline Status ResourceExhausted(std::string m) { return {StatusCode::kResourceExhausted, std::move(m)}; }
inline Status PermissionDenied(std::string m) { return {StatusCode::kPermissionDenied, std::move(m)}; }
inline Status Internal(std::string m) { return {StatusCode::kInternal, std::move(m)}; }

// Status of a StatusOr, OK when it holds a value.
template <class T>
Status StatusOf(const StatusOr<T>& v) {
  return v.has_value() ? Status() : v.error();
}

namespace internal {
// Lets one `return` statement leave both Status- and StatusOr-returning functions.
struct ErrorReturn {
  Status status;
  operator Status() && { return std::move(status); }  // NOLINT(google-explicit-constructor)
  template <class T>
  operator StatusOr<T>() && {  // NOLINT(google-explicit-constructor)
    return std::unexpected(std::move(status));
  }
};
}  // namespace internal

}  // namespace pareto

#define PARETO_CONCAT_INNER(a, b) a##b
#define PARETO_CONCAT(a, b) PARETO_CONCAT_INNER(a, b)

// Returns from the enclosing function when `expr` (a Status) is not OK.
#define PARETO_RETURN_IF_ERROR(expr)                                       \
  do {                                                                     \
    ::pareto::Status pareto_status_ = (expr);                              \
    if (!pareto_status_.ok())                                              \
      return ::pareto::internal::ErrorReturn{std::move(pareto_status_)};   \
  } while (0)

// `PARETO_ASSIGN_OR_RETURN(auto x, MakeX());` — unwraps a StatusOr or returns its error.
#define PARETO_ASSIGN_OR_RETURN(lhs, expr) \
  PARETO_ASSIGN_OR_RETURN_IMPL(PARETO_CONCAT(pareto_statusor_, __LINE__), lhs, expr)
#define PARETO_ASSIGN_OR_RETURN_IMPL(tmp, lhs, expr)                              \
  auto tmp = (expr);                                                              \
  if (!tmp.has_value()) return ::pareto::internal::ErrorReturn{std::move(tmp).error()}; \
  lhs = std::move(*tmp)
