#include "cli/build_info.h"

#ifndef CDRD_VERSION
#define CDRD_VERSION "unknown"
#endif
#ifndef CDRD_BUILD_TYPE
#define CDRD_BUILD_TYPE "unknown"
#endif

namespace cdrd::cli {

std::string version_text() {
  std::string build_type = CDRD_BUILD_TYPE;
  if (build_type.empty()) build_type = "unknown";
  return std::string("cdrd ") + CDRD_VERSION + " (commit " + std::string(source_commit()) + ", " +
         build_type + " build)";
}

}  // namespace cdrd::cli
