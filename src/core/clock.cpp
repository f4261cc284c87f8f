#include "core/clock.h"

#include <chrono>

namespace cdrd {

Micros system_now() {
  return std::chrono::duration_cast<std::chrono::microseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

}  // namespace cdrd
