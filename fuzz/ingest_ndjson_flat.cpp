// Fuzzes ingest's in-place reading of the common NDJSON line (read_flat_line, raw_record.h)
// against parse_ndjson_line, which copies the same line into a RawRecord: each line of the input
// that is read in place must be read by parse_ndjson_line too, to the same fields, and the
// validator and the trunk link must answer the same from both (the same message, or the same
// CallRecord). The FlatRecord is reused from line to line and input to input, as ingest reuses
// it, so nothing of an earlier line may show through.
#include <optional>
#include <string>

#include "fake_stores.h"
#include "fuzz_target.h"
#include "service/ingest/raw_record.h"
#include "service/ingest/trunk_link.h"
#include "service/ingest/validate.h"

using namespace cdrd;
using namespace cdrd::service::ingest;

namespace {

Result<std::optional<std::int64_t>> resolve(std::string_view auth_id) {
  if (auth_id == fuzz::kAuthId) return std::optional<std::int64_t>(fuzz::kAccountId);
  return std::optional<std::int64_t>();
}

// GB for the trunk "gb" (its numbers read in the national form), none for any other.
Result<std::string> default_country(std::int64_t, std::string_view trunk_id) {
  return std::string(trunk_id == "gb" ? "GB" : "");
}

void check_line(std::string_view line, FlatRecord& flat) {
  if (!read_flat_line(line, flat)) return;
  const Result<RawRecord> raw = parse_ndjson_line(line);
  CDRD_FUZZ_CHECK(raw.ok());
  CDRD_FUZZ_CHECK(raw->fields.size() == flat.fields.size());
  for (std::size_t i = 0; i < flat.fields.size(); ++i) {
    const RawField& want = raw->fields[i];
    CDRD_FUZZ_CHECK(flat.fields[i].name == want.name);
    CDRD_FUZZ_CHECK(flat.fields[i].value.kind == want.value.kind);
    CDRD_FUZZ_CHECK(flat.fields[i].value.text == want.value.text);
    CDRD_FUZZ_CHECK(want.value.items.empty() && want.value.members.empty());
  }
  for (const bool with_country : {false, true}) {
    const DefaultCountryResolver country =
        with_country ? DefaultCountryResolver(default_country) : DefaultCountryResolver();
    CallRecord from_flat, from_raw;
    const Status a = validate_record_into(flat, resolve, country, from_flat);
    const Status b = validate_record_into(*raw, resolve, country, from_raw);
    CDRD_FUZZ_CHECK(a.code() == b.code() && a.message() == b.message());
    if (!a.ok()) {
      fuzz::check_refusal(a);
      continue;
    }
    CDRD_FUZZ_CHECK(from_flat == from_raw);
    for (const std::optional<TrunkFacts>& trunk :
         {std::optional<TrunkFacts>(),
          std::optional<TrunkFacts>(TrunkFacts{"t.example", true, ""})}) {
      CallRecord linked_flat = from_flat, linked_raw = from_raw;
      const Status la = link_known_trunk(linked_flat, flat, trunk);
      const Status lb = link_known_trunk(linked_raw, *raw, trunk);
      CDRD_FUZZ_CHECK(la.code() == lb.code() && la.message() == lb.message());
      CDRD_FUZZ_CHECK(linked_flat == linked_raw);
    }
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  static FlatRecord* flat = new FlatRecord();
  std::string_view text = fuzz::as_text(data, size);
  // The input whole, then each of its lines.
  check_line(text, *flat);
  while (!text.empty()) {
    const std::size_t nl = text.find('\n');
    check_line(text.substr(0, nl), *flat);
    if (nl == std::string_view::npos) break;
    text.remove_prefix(nl + 1);
  }
  return 0;
}
