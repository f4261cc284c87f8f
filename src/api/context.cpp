#include "api/context.h"

namespace cdrd::api {

Micros ApiContext::now() const { return now_from(settings.now); }

}  // namespace cdrd::api
