// The one wall clock of cdrd: UTC microseconds since the epoch (core/time.h's Micros). Code that
// needs the time takes a `Clock` (tests fix it) and falls back to system_now().
// Thread-safety: system_now() is safe from any thread.
#pragma once

#include <functional>

#include "core/time.h"

namespace cdrd {

// Reads the system's real-time clock.
Micros system_now();

// A source of the current time; an empty Clock means system_now().
using Clock = std::function<Micros()>;

// clock() when it is set, else system_now().
inline Micros now_from(const Clock& clock) { return clock ? clock() : system_now(); }

}  // namespace cdrd
