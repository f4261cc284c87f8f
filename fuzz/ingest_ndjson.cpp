// Fuzzes the NDJSON ingest path (docs/ingest.md): parse_ndjson_line and validate_record on the
// whole input as one line, then ingest_text over the input as a batch (line splitting, trunk
// linking and rating included) on in-memory stores. The record parse_ndjson_line gives (from the
// reader's reused tape, into field storage pooled from earlier inputs) must be exactly the tree
// parse_json reads from the same text: nothing of an earlier line may show through.
#include "core/json_reader.h"
#include "fake_stores.h"
#include "fuzz_target.h"
#include "ingest_check.h"
#include "json_check.h"
#include "service/ingest/raw_record.h"
#include "service/ingest/validate.h"

using namespace cdrd;

namespace {

bool same(const service::ingest::RawValue& raw, const JsonValue& json);

bool same_fields(const std::vector<service::ingest::RawField>& raw,
                 const std::vector<JsonMember>& json) {
  if (raw.size() != json.size()) return false;
  for (std::size_t i = 0; i < raw.size(); ++i) {
    if (raw[i].name != json[i].name || !same(raw[i].value, json[i].value)) return false;
  }
  return true;
}

// Recursive to the depth the reader's limit allows (8).
bool same(const service::ingest::RawValue& raw, const JsonValue& json) {
  using service::ingest::RawKind;
  const RawKind kind = json.kind == JsonKind::kNull     ? RawKind::kNull
                       : json.kind == JsonKind::kBool   ? RawKind::kBool
                       : json.kind == JsonKind::kNumber ? RawKind::kNumber
                       : json.kind == JsonKind::kString ? RawKind::kString
                       : json.kind == JsonKind::kArray  ? RawKind::kArray
                                                        : RawKind::kObject;
  if (raw.kind != kind || raw.text != json.text || raw.items.size() != json.items.size()) {
    return false;
  }
  for (std::size_t i = 0; i < raw.items.size(); ++i) {
    if (!same(raw.items[i], json.items[i])) return false;
  }
  return same_fields(raw.members, json.members);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  static fuzz::FakeWorld* world = new fuzz::FakeWorld();
  const std::string_view text = fuzz::as_text(data, size);

  const Result<service::ingest::RawRecord> raw = service::ingest::parse_ndjson_line(text);
  const Result<JsonValue> tree = parse_json(text, "line");
  if (raw.ok()) {
    CDRD_FUZZ_CHECK(tree.ok() && tree->kind == JsonKind::kObject);
    CDRD_FUZZ_CHECK(same_fields(raw->fields, tree->members));
    for (const service::ingest::RawField& f : raw->fields) (void)service::ingest::describe(f.value);
    const service::ingest::AccountResolver resolve =
        [](std::string_view auth_id) -> Result<std::optional<std::int64_t>> {
      if (auth_id == fuzz::kAuthId) return std::optional<std::int64_t>(fuzz::kAccountId);
      return std::optional<std::int64_t>();
    };
    const Result<CallRecord> record = service::ingest::validate_record(*raw, resolve);
    // A refusal is always a client error with a message, never a storage or internal code.
    if (!record.ok()) fuzz::check_refusal(record.status());
  } else {
    CDRD_FUZZ_CHECK(raw.status().code() == Status::Code::kInvalidArgument);
    // The same reader, the same refusal (or a line that is JSON but not one object); a line
    // that opens with '[' is refused as an array before it is read.
    const std::size_t first = text.find_first_not_of(" \t");
    if (first == std::string_view::npos || text[first] != '[') {
      CDRD_FUZZ_CHECK(!tree.ok() ? tree.status().message() == raw.status().message()
                                 : tree->kind != JsonKind::kObject);
    }
  }

  // Whole and streamed (cut into records and answered like a whole body).
  fuzz::check_ingest(*world, text, service::ingest::Format::kNdjson, "application/x-ndjson");
  return 0;
}
