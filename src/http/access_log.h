// AccessLog: the server's access lines gathered in memory and written to a file descriptor
// (standard error) in few writes, in the manner of nginx's `access_log ... buffer=SIZE
// flush=TIME`: a line is appended to a buffer of `buffer_bytes`; the buffer is written in one
// write when the next line would not fit, at most `flush_interval` after the oldest line it
// holds was logged (by a flusher thread, which sleeps while the buffer is empty), on flush(),
// and when the AccessLog is destroyed. A line longer than the whole buffer is written alone.
// So nothing logged is lost when the owner stops cleanly (flush() or the destructor), and a
// crash loses at most the lines of the last `flush_interval` (and of a full buffer's worth).
//
// Lines keep the bytes of the server's spdlog logger on a file (its default pattern,
// `[2026-12-01 18:00:00.123] [http] [info] MESSAGE` and a newline, the time local, without
// the colours a terminal gets), so a log reader sees no difference but the batching.
//
// Memory: two buffers of `buffer_bytes` (the one lines go into, and the one being written) and
// one line per logging thread. The writes keep the order in which buffers filled; lines of
// different threads keep the order in which they were appended. A write that fails (a closed
// pipe, a full disk) drops what it held, as an unbuffered stream would.
//
// Thread-safety: log(), append() and flush() may be called from any thread, concurrently; a
// caller blocks only while its line is appended, or, when the buffer is full, while the full
// buffer is written.
#pragma once

#include <chrono>
#include <cstddef>
#include <string>
#include <string_view>
#include <thread>

#include "core/mutex.h"

namespace cdrd::http {

class AccessLog {
 public:
  struct Options {
    int fd = 2;  // standard error; not closed
    std::size_t buffer_bytes = std::size_t{64} * 1024;
    std::chrono::milliseconds flush_interval{100};
    std::string logger_name = "http";  // the [name] of each line
  };

  explicit AccessLog(Options options);
  ~AccessLog();
  AccessLog(const AccessLog&) = delete;
  AccessLog& operator=(const AccessLog&) = delete;

  // Logs one line: the time, the logger name, the level `info` and `message` (without a
  // newline), as spdlog's default pattern has them.
  void log(std::string_view message) EXCLUDES(write_mutex_, mutex_);
  // Appends bytes already formatted (whole lines, each ending in a newline).
  void append(std::string_view lines) EXCLUDES(write_mutex_, mutex_);
  // Writes what the buffer holds now.
  void flush() EXCLUDES(write_mutex_, mutex_);

 private:
  using Clock = std::chrono::steady_clock;

  // Writes the buffer's lines and empties it; lines appended meanwhile go into the other one.
  void write_buffer() REQUIRES(write_mutex_) EXCLUDES(mutex_);
  void write_bytes(std::string_view bytes) REQUIRES(write_mutex_);
  void run_flusher() EXCLUDES(write_mutex_, mutex_);

  const Options options_;

  // Lock order: write_mutex_ before mutex_. write_mutex_ is held for a write (so writes keep
  // the order of the buffers and never interleave); mutex_ only to append or swap.
  Mutex write_mutex_;
  std::string writing_ GUARDED_BY(write_mutex_);  // the buffer being written; empty otherwise

  Mutex mutex_;
  CondVar wake_{&mutex_};
  std::string buffer_ GUARDED_BY(mutex_);
  Clock::time_point oldest_ GUARDED_BY(mutex_);   // when the buffer's first line was appended
  bool flusher_idle_ GUARDED_BY(mutex_) = false;  // waits for a line (buffer_ empty)
  bool stopping_ GUARDED_BY(mutex_) = false;

  std::thread flusher_;
};

}  // namespace cdrd::http
