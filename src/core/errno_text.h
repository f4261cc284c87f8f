// errno_text(): the text of the current errno (std::strerror), for the messages of failed
// system calls. One definition for every module: copies of it in anonymous namespaces collided
// when a unity build put two of their files in one translation unit.
#pragma once

#include <cerrno>
#include <cstring>
#include <string>

namespace cdrd {

inline std::string errno_text() { return std::strerror(errno); }

}  // namespace cdrd
