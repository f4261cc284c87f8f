#include "api/context.h"

#include <chrono>

namespace cdrd::api {

Micros system_now() {
  return std::chrono::duration_cast<std::chrono::microseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

Micros ApiContext::now() const { return settings.now ? settings.now() : system_now(); }

}  // namespace cdrd::api
