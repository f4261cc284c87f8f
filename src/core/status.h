// Status and Result<T>: errors as values across module boundaries (no exceptions cross a module).
// A Status is either ok or carries a code and a message meant for the API client or operator;
// the message names the field and the accepted form where the error is about input.
// Thread-safety: plain values, safe to copy between threads.
#pragma once

#include <cstdio>
#include <cstdlib>
#include <optional>
#include <string>
#include <utility>
#include <variant>

namespace cdrd {

class [[nodiscard]] Status {
 public:
  enum class Code {
    kOk,
    kInvalidArgument,    // bad input: 400
    kMissingArgument,    // a required field is absent: 422 where the API says so
    kNotFound,           // 404
    kConflict,           // 409: duplicate, in use
    kUnauthenticated,    // 401
    kPermissionDenied,   // 403
    kResourceExhausted,  // quota reached
    kUnavailable,        // overloaded or over a time budget: 503 with Retry-After, try again
    kIOError,            // storage failed
    kInternal,           // a bug
  };

  Status() = default;
  static Status Ok() { return Status(); }
  static Status Invalid(std::string m) { return Status(Code::kInvalidArgument, std::move(m)); }
  static Status Missing(std::string m) { return Status(Code::kMissingArgument, std::move(m)); }
  static Status NotFound(std::string m) { return Status(Code::kNotFound, std::move(m)); }
  static Status Conflict(std::string m) { return Status(Code::kConflict, std::move(m)); }
  static Status Unauthenticated(std::string m) {
    return Status(Code::kUnauthenticated, std::move(m));
  }
  static Status Denied(std::string m) { return Status(Code::kPermissionDenied, std::move(m)); }
  static Status Exhausted(std::string m) { return Status(Code::kResourceExhausted, std::move(m)); }
  static Status Unavailable(std::string m) { return Status(Code::kUnavailable, std::move(m)); }
  static Status IOError(std::string m) { return Status(Code::kIOError, std::move(m)); }
  static Status Internal(std::string m) { return Status(Code::kInternal, std::move(m)); }

  bool ok() const { return code_ == Code::kOk; }
  Code code() const { return code_; }
  const std::string& message() const { return message_; }

 private:
  Status(Code c, std::string m) : code_(c), message_(std::move(m)) {}
  Code code_ = Code::kOk;
  std::string message_;
};

namespace detail {
// Reading the value of a Result that holds an error is a bug in the caller: it is reported and
// the process stops, instead of an exception crossing a module.
[[noreturn]] inline void result_has_no_value(const Status& s) {
  std::fprintf(stderr, "cdrd: Result::value() on an error: %s\n", s.message().c_str());
  std::abort();
}
}  // namespace detail

// A value or the Status that explains why there is none. value() on an error is a bug: it
// aborts (it never throws); check ok() first.
template <class T>
class [[nodiscard]] Result {
 public:
  Result(T value) : v_(std::move(value)) {}         // NOLINT: implicit by design
  Result(Status status) : v_(std::move(status)) {}  // NOLINT: implicit by design

  bool ok() const { return std::holds_alternative<T>(v_); }
  const T& value() const& { return *checked(); }
  T& value() & { return *checked(); }
  T&& value() && { return std::move(*checked()); }
  const T& operator*() const& { return value(); }
  T& operator*() & { return value(); }
  const T* operator->() const { return &value(); }
  T* operator->() { return &value(); }
  // The error; Status::Ok() when there is a value.
  Status status() const { return ok() ? Status::Ok() : *std::get_if<Status>(&v_); }

 private:
  T* checked() {
    if (T* v = std::get_if<T>(&v_)) return v;
    detail::result_has_no_value(*std::get_if<Status>(&v_));
  }
  const T* checked() const {
    if (const T* v = std::get_if<T>(&v_)) return v;
    detail::result_has_no_value(*std::get_if<Status>(&v_));
  }

  std::variant<T, Status> v_;
};

}  // namespace cdrd

// One-line error propagation (as in Abseil and LevelDB's callers):
//   RETURN_IF_ERROR(store.put(x));            // returns the Status when it is not ok
//   ASSIGN_OR_RETURN(auto row, store.get(id)); // declares row from a Result, or returns its Status
// Both work in functions returning Status or any Result<U> (a Status converts to either).
#define CDRD_CONCAT_INNER(a, b) a##b
#define CDRD_CONCAT(a, b) CDRD_CONCAT_INNER(a, b)
#define RETURN_IF_ERROR(expr)                    \
  do {                                           \
    ::cdrd::Status cdrd_status_ = (expr);        \
    if (!cdrd_status_.ok()) return cdrd_status_; \
  } while (false)
// tmp and decl name variables, so they cannot be parenthesised.
// NOLINTBEGIN(bugprone-macro-parentheses)
#define CDRD_ASSIGN_OR_RETURN_IMPL(tmp, decl, expr) \
  auto tmp = (expr);                                \
  if (!tmp.ok()) return tmp.status();               \
  decl = std::move(tmp).value()
#define ASSIGN_OR_RETURN(decl, expr) \
  CDRD_ASSIGN_OR_RETURN_IMPL(CDRD_CONCAT(cdrd_result_, __LINE__), decl, expr)
// NOLINTEND(bugprone-macro-parentheses)
