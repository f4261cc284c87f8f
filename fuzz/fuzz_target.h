// What every fuzz target shares: the libFuzzer entry point's declaration and a helper that
// turns its bytes into text. Each fuzz/<target>.cpp defines LLVMFuzzerTestOneInput; it is
// linked either with libFuzzer (`make fuzz`, clang) or with replay_main.cpp, which feeds it
// every file of a corpus folder (the fuzz_replay_<target> tests of `make test`). A target must
// be deterministic and side-effect free: no files, no network, no state carried between inputs
// that changes what the next input does. A bug is reported by crashing (a sanitizer report or
// an abort), never by returning a value: libFuzzer ignores the return value (always 0).
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string_view>

#include "core/status.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size);

namespace cdrd::fuzz {

inline std::string_view as_text(const std::uint8_t* data, std::size_t size) {
  return {reinterpret_cast<const char*>(data), size};
}

// An invariant of the code under test does not hold: report it and abort, so libFuzzer keeps
// the input as a crash and the replay test fails.
[[noreturn]] inline void invariant_failed(const char* what) {
  std::fprintf(stderr, "fuzz invariant failed: %s\n", what);
  std::abort();
}

#define CDRD_FUZZ_CHECK(cond)                           \
  do {                                                  \
    if (!(cond)) ::cdrd::fuzz::invariant_failed(#cond); \
  } while (0)

// Bad input is refused as it should be: kInvalidArgument, with a message for the client.
inline void check_refusal(const Status& status) {
  CDRD_FUZZ_CHECK(status.code() == Status::Code::kInvalidArgument);
  CDRD_FUZZ_CHECK(!status.message().empty());
}

}  // namespace cdrd::fuzz
