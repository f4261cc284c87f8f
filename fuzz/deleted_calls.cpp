// Fuzzes the reader of the segment store's deleted-calls file (store/segment/deleted_calls.h):
// the input is the file's bytes. The whole records read lie within the data; the ids read,
// written again as records, read back to the same ids with nothing torn or damaged; and the
// bytes of the whole records alone read to the same ids.
#include <string>
#include <vector>

#include "fuzz_target.h"
#include "store/segment/deleted_calls.h"

using namespace cdrd;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view bytes = fuzz::as_text(data, size);
  const segment::DeletedRecords read = segment::read_deleted_records(bytes);
  if (read.whole > bytes.size() || read.ids.size() * 8 > read.whole) {
    fuzz::invariant_failed("the whole records lie outside the data");
  }
  const segment::DeletedRecords prefix = segment::read_deleted_records(bytes.substr(0, read.whole));
  if (prefix.ids != read.ids || prefix.whole != read.whole || prefix.corrupt) {
    fuzz::invariant_failed("the whole records alone read to other ids");
  }
  std::string again;
  segment::append_deleted_record(read.ids, again);
  segment::append_deleted_record({}, again);
  const segment::DeletedRecords back = segment::read_deleted_records(again);
  if (back.ids != read.ids || back.whole != again.size() || back.corrupt) {
    fuzz::invariant_failed("ids written as records read back to other ids");
  }
  return 0;
}
