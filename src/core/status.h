// Status and Result<T>: errors as values across module boundaries (no exceptions cross a module).
// A Status is either ok or carries a code and a message meant for the API client or operator;
// the message names the field and the accepted form where the error is about input.
// Thread-safety: plain values, safe to copy between threads.
#pragma once

#include <optional>
#include <string>
#include <utility>
#include <variant>

namespace cdrd {

class Status {
 public:
  enum class Code {
    kOk,
    kInvalidArgument,   // bad input: 400
    kMissingArgument,   // a required field is absent: 422 where the API says so
    kNotFound,          // 404
    kConflict,          // 409: duplicate, in use
    kUnauthenticated,   // 401
    kPermissionDenied,  // 403
    kResourceExhausted, // quota reached
    kUnavailable,       // overloaded or over a time budget: 503 with Retry-After, try again
    kIOError,           // storage failed
    kInternal,          // a bug
  };

  Status() = default;
  static Status Ok() { return Status(); }
  static Status Invalid(std::string m) { return Status(Code::kInvalidArgument, std::move(m)); }
  static Status Missing(std::string m) { return Status(Code::kMissingArgument, std::move(m)); }
  static Status NotFound(std::string m) { return Status(Code::kNotFound, std::move(m)); }
  static Status Conflict(std::string m) { return Status(Code::kConflict, std::move(m)); }
  static Status Unauthenticated(std::string m) { return Status(Code::kUnauthenticated, std::move(m)); }
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

// A value or the Status that explains why there is none.
template <class T>
class Result {
 public:
  Result(T value) : v_(std::move(value)) {}            // NOLINT: implicit by design
  Result(Status status) : v_(std::move(status)) {}      // NOLINT: implicit by design

  bool ok() const { return std::holds_alternative<T>(v_); }
  const T& value() const& { return std::get<T>(v_); }
  T& value() & { return std::get<T>(v_); }
  T&& value() && { return std::get<T>(std::move(v_)); }
  const T& operator*() const& { return value(); }
  T& operator*() & { return value(); }
  const T* operator->() const { return &value(); }
  T* operator->() { return &value(); }
  // The error; Status::Ok() when there is a value.
  Status status() const { return ok() ? Status::Ok() : std::get<Status>(v_); }

 private:
  std::variant<T, Status> v_;
};

}  // namespace cdrd
