#include "http/access_log.h"

#include <spdlog/details/log_msg.h>
#include <spdlog/pattern_formatter.h>

#include <poll.h>
#include <pthread.h>
#include <unistd.h>

#include <cerrno>
#include <utility>

namespace cdrd::http {

AccessLog::AccessLog(Options options) : options_(std::move(options)) {
  {
    MutexLock lock(&mutex_);
    buffer_.reserve(options_.buffer_bytes);
  }
  {
    MutexLock lock(&write_mutex_);
    writing_.reserve(options_.buffer_bytes);
  }
  flusher_ = std::thread([this] { run_flusher(); });
}

AccessLog::~AccessLog() {
  {
    MutexLock lock(&mutex_);
    stopping_ = true;
    wake_.signal();
  }
  flusher_.join();
  flush();
}

void AccessLog::log(std::string_view message) {
  // spdlog's default pattern, as the logger's sink formats it (one per thread: the formatter
  // caches the date of the last second it formatted).
  struct Formatter {
    spdlog::pattern_formatter pattern;
    spdlog::memory_buf_t line;
  };
  thread_local Formatter formatter;
  formatter.line.clear();
  const spdlog::details::log_msg msg(spdlog::log_clock::now(), spdlog::source_loc{},
                                     options_.logger_name, spdlog::level::info, message);
  formatter.pattern.format(msg, formatter.line);
  append(std::string_view(formatter.line.data(), formatter.line.size()));
}

void AccessLog::append(std::string_view lines) {
  for (;;) {
    {
      MutexLock lock(&mutex_);
      if (buffer_.size() + lines.size() <= options_.buffer_bytes) {
        if (buffer_.empty()) {
          oldest_ = Clock::now();
          if (flusher_idle_) wake_.signal();
        }
        buffer_.append(lines);
        return;
      }
    }
    // The buffer is full: write it (unless another thread has just done so), then try again;
    // a line longer than the whole buffer is written alone, after the lines before it.
    MutexLock write_lock(&write_mutex_);
    write_buffer();
    if (lines.size() > options_.buffer_bytes) {
      write_bytes(lines);
      return;
    }
  }
}

void AccessLog::flush() {
  MutexLock write_lock(&write_mutex_);
  write_buffer();
}

void AccessLog::write_buffer() {
  {
    MutexLock lock(&mutex_);
    buffer_.swap(writing_);  // writing_ was empty, with the buffer's capacity
  }
  write_bytes(writing_);
  writing_.clear();
}

void AccessLog::write_bytes(std::string_view bytes) {
  while (!bytes.empty()) {
    const ssize_t n = ::write(options_.fd, bytes.data(), bytes.size());
    if (n >= 0) {
      bytes.remove_prefix(static_cast<std::size_t>(n));
    } else if (errno == EAGAIN || errno == EWOULDBLOCK) {
      pollfd ready{options_.fd, POLLOUT, 0};  // a non-blocking descriptor: wait until it takes
      ::poll(&ready, 1, -1);
    } else if (errno != EINTR) {
      return;  // dropped, as an unbuffered stream's write would be
    }
  }
}

void AccessLog::run_flusher() {
  pthread_setname_np(pthread_self(), "cdrd-access-log");  // for ps, top and perf
  for (;;) {
    {
      MutexLock lock(&mutex_);
      for (;;) {
        if (stopping_) return;  // the destructor writes what is left
        if (buffer_.empty()) {
          flusher_idle_ = true;
          wake_.wait();
          flusher_idle_ = false;
          continue;
        }
        const Clock::time_point due = oldest_ + options_.flush_interval;
        const Clock::time_point now = Clock::now();
        if (now >= due) break;
        wake_.wait_for(due - now);
      }
    }
    flush();
  }
}

}  // namespace cdrd::http
