// Fuzzes what the ClickHouse calls store reads from outside (docs/clickhouse.md): the --calls
// URL (`clickhouse://H1:P1,H2:P2/DB?cluster=NAME&node=1&feed_lag_ms=N`, parsed by parse_url)
// and the TabSeparated answers of the server (split_tsv and the field readers). The first byte
// picks the parser; the rest is its input. A refused URL is kInvalidArgument with a message; a
// field that does not read is kIOError (a corrupt answer), never a crash; and text written by
// append_tsv reads back as the same bytes.
#include <string>

#include "fuzz_target.h"
#include "store/clickhouse/client.h"
#include "store/clickhouse/text.h"

using namespace cdrd;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size == 0) return 0;
  const std::string_view text = fuzz::as_text(data + 1, size - 1);
  if (data[0] % 2 == 0) {
    const Result<clickhouse::Endpoint> e = clickhouse::parse_url(text);
    if (!e.ok()) {
      fuzz::check_refusal(e.status());
      return 0;
    }
    CDRD_FUZZ_CHECK(!e->host.empty() && !e->database.empty() && !e->servers.empty());
    CDRD_FUZZ_CHECK(e->node >= 0 && e->node <= 15 && e->feed_lag_ms >= 0);
    CDRD_FUZZ_CHECK(e->shards().size() == e->servers.size());
    CDRD_FUZZ_CHECK(!e->describe().empty());
    return 0;
  }
  for (const clickhouse::TsvRow& row : clickhouse::split_tsv(text)) {
    for (std::string_view field : row) {
      for (const Status& s :
           {clickhouse::tsv_text(field).status(), clickhouse::tsv_int(field).status(),
            clickhouse::tsv_opt_int(field).status(), clickhouse::tsv_opt_text(field).status(),
            clickhouse::tsv_opt_real(field).status()}) {
        CDRD_FUZZ_CHECK(s.ok() || s.code() == Status::Code::kIOError);
      }
    }
  }
  // Any bytes written as one field come back as one row of one field with the same text.
  std::string written;
  clickhouse::append_tsv(written, text);
  written += '\n';
  const std::vector<clickhouse::TsvRow> rows = clickhouse::split_tsv(written);
  CDRD_FUZZ_CHECK(rows.size() == 1 && rows[0].size() == 1);
  const Result<std::string> back = clickhouse::tsv_text(rows[0][0]);
  CDRD_FUZZ_CHECK(back.ok() && *back == text);
  return 0;
}
