#include "store/sqlite/stores.h"

#include <utility>

namespace cdrd::sqlite {

Result<std::unique_ptr<Stores>> open_stores(const std::string& path, SqliteOptions opts) {
  ASSIGN_OR_RETURN(std::unique_ptr<Database> db, Database::open(path, opts));
  return std::make_unique<Stores>(std::move(db));
}

}  // namespace cdrd::sqlite
