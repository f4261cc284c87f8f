// What `cdrd --version` prints: the project version and build type (compile definitions
// CDRD_VERSION and CDRD_BUILD_TYPE of the cdrd target, from CMake) and the source commit
// (a file generated at build time by build_info.cmake: `git describe`, or "unknown" when built
// from a tree without .git). Pure; thread-safe.
#pragma once

#include <string>
#include <string_view>

namespace cdrd::cli {

// The commit the binary was built from, e.g. "e43e11b0a1b2" or "e43e11b0a1b2-dirty"; "unknown"
// when the source tree had no git history.
std::string_view source_commit();

// "cdrd 0.1.0 (commit e43e11b0a1b2, Debug build)".
std::string version_text();

}  // namespace cdrd::cli
