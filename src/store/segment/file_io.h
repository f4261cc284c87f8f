// The file primitives of the segment store's files (the segments, segment_file.h, and the
// deleted calls, deleted_calls.h): little-endian words, whole reads and writes by pread and
// pwrite that go on after EINTR, and errors that name the file. Thread-safe.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "core/status.h"

namespace cdrd::segment {

std::uint32_t get_u32(std::string_view data, std::size_t at);
void put_u32(std::string& out, std::size_t at, std::uint32_t v);
// Whether every byte of `data` from `from` on is zero (true when there is none).
bool all_zero(std::string_view data, std::size_t from);

// kIOError "NOUN PATH: WHAT: <errno's text>", for a system call that just failed.
Status file_error(std::string_view noun, const std::string& path, std::string_view what);
// The whole file, read with pread from its start (what is there, if it shrinks meanwhile).
Status read_whole(int fd, std::string_view noun, const std::string& path, std::string& out);
// All of `bytes` at offset `at`.
Status write_all(int fd, std::string_view noun, const std::string& path, std::string_view bytes,
                 std::uint64_t at);
// Syncs the directory holding `path`, so that a file just made there survives a power loss.
Status sync_directory_of(const std::string& path);

}  // namespace cdrd::segment
