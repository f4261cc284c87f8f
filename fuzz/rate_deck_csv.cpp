// Fuzzes the rate deck CSV parser (docs/rating.md): parse_rate_deck_csv without and with a
// direction restriction, then, for a deck it accepts, the round trip its contract promises
// (format_rate_deck_csv reads back to the same rows) and a few matches against the deck.
#include "fuzz_target.h"
#include "rating/rate_deck.h"

using namespace cdrd;

namespace {

std::vector<RateRow> all_rows(const rating::RateDeck& deck) {
  std::vector<RateRow> rows;
  for (Direction d : {Direction::kInbound, Direction::kOutbound}) {
    for (const RateRow& r : deck.rows(d)) rows.push_back(r);
  }
  return rows;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view text = fuzz::as_text(data, size);

  for (Direction only : {Direction::kInbound, Direction::kOutbound}) {
    const Result<rating::RateDeck> deck = rating::parse_rate_deck_csv(text, only);
    if (deck.ok())
      CDRD_FUZZ_CHECK(
          deck->rows(only == Direction::kInbound ? Direction::kOutbound : Direction::kInbound)
              .empty());
  }

  const Result<rating::RateDeck> deck = rating::parse_rate_deck_csv(text);
  if (!deck.ok()) {
    CDRD_FUZZ_CHECK(deck.status().code() == Status::Code::kInvalidArgument);
    return 0;
  }
  const std::vector<RateRow> rows = all_rows(*deck);
  const Result<rating::RateDeck> again =
      rating::parse_rate_deck_csv(rating::format_rate_deck_csv(rows));
  CDRD_FUZZ_CHECK(again.ok());
  CDRD_FUZZ_CHECK(all_rows(*again) == rows);

  for (const RateRow& r : rows) {
    const RateRow* hit = deck->match(r.direction, r.prefix + "0123456789", r.effective_from);
    CDRD_FUZZ_CHECK(hit != nullptr);
    CDRD_FUZZ_CHECK(hit->prefix.size() >= r.prefix.size());
  }
  return 0;
}
