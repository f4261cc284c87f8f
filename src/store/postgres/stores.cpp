#include "store/postgres/stores.h"

namespace cdrd::postgres {

Result<std::unique_ptr<ControlStores>> open_control_stores(const PgOptions& options,
                                                           RatingStore& calls_billing) {
  ASSIGN_OR_RETURN(std::unique_ptr<Database> db, Database::open(options));
  return std::make_unique<ControlStores>(std::move(db), calls_billing);
}

}  // namespace cdrd::postgres
