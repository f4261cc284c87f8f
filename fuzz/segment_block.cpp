// Fuzzes the reader of a segment's blocks and the call codec (store/segment/segment_file.h,
// call_codec.h): the input is a segment's bytes after its 8-byte header. Each block read whole
// lies within the data and past the one before; each call either is refused with kIOError or
// decodes to a record whose encoding decodes to the same encoding again; and the block written
// again from the decoded calls reads back to as many calls with the same first id. A block's
// accounts read are strictly ascending and no more than its calls; a block written again names
// exactly its calls' accounts.
#include <algorithm>
#include <functional>
#include <string>
#include <vector>

#include "fuzz_target.h"
#include "store/segment/call_codec.h"
#include "store/segment/segment_file.h"

using namespace cdrd;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::string bytes(segment::kFileMagic);
  bytes.append(fuzz::as_text(data, size));
  std::size_t offset = segment::kFileMagic.size();
  segment::Block block;
  for (;;) {
    const segment::BlockState state = segment::read_block(bytes, offset, block);
    if (state != segment::BlockState::kOk) break;
    if (block.end <= offset || block.end > bytes.size() || block.calls.empty()) {
      fuzz::invariant_failed("a block read lies outside the data");
    }
    if (block.accounts.empty() || block.accounts.size() > block.calls.size() ||
        std::adjacent_find(block.accounts.begin(), block.accounts.end(), std::greater_equal<>()) !=
            block.accounts.end()) {
      fuzz::invariant_failed("a block's accounts are not a strictly ascending list of its calls'");
    }
    std::vector<CallRecord> decoded;
    for (const std::string_view encoded : block.calls) {
      CallRecord call;
      const Status s = segment::decode_call(encoded, call);
      if (!s.ok()) {
        if (s.code() != Status::Code::kIOError) fuzz::invariant_failed("a refusal is not kIOError");
        continue;
      }
      std::string once;
      segment::encode_call(call, once);
      CallRecord again;
      if (!segment::decode_call(once, again).ok()) {
        fuzz::invariant_failed("an encoded call does not decode");
      }
      std::string twice;
      segment::encode_call(again, twice);
      if (twice != once) fuzz::invariant_failed("an encoded call decodes to another call");
      decoded.push_back(std::move(call));
    }
    if (!decoded.empty()) {
      std::string rewritten(segment::kFileMagic);
      segment::append_block(block.first_id, decoded, rewritten);
      segment::Block back;
      if (segment::read_block(rewritten, segment::kFileMagic.size(), back) !=
              segment::BlockState::kOk ||
          back.first_id != block.first_id || back.calls.size() != decoded.size()) {
        fuzz::invariant_failed("a block written again does not read back");
      }
      std::vector<std::int64_t> accounts;
      for (const CallRecord& c : decoded) accounts.push_back(c.account_id);
      std::sort(accounts.begin(), accounts.end());
      accounts.erase(std::unique(accounts.begin(), accounts.end()), accounts.end());
      if (back.accounts != accounts) {
        fuzz::invariant_failed("a block written again does not name its calls' accounts");
      }
    }
    offset = block.end;
  }
  return 0;
}
