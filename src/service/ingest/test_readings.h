// Test support, not part of the library: ingest's two readings of one NDJSON line compared, for
// the differential test (flat_record_test.cpp) and the fuzz target (fuzz/ingest_ndjson_flat.cpp):
// the line read in place (read_flat_line, a FlatRecord of views) against the line copied
// (parse_ndjson_line, a RawRecord), and what the validator and the trunk link make of each.
//
// Thread-safety: a free function over its arguments.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "core/status.h"
#include "service/ingest/raw_record.h"
#include "service/ingest/trunk_link.h"
#include "service/ingest/validate.h"

namespace cdrd::service::ingest {

// The first difference between `flat` and `raw` (the same line read both ways): their fields'
// names, kinds and texts, then validate_record_into's answer from each (without and with
// `default_country`: the same code and message, or equal CallRecords), then link_known_trunk's
// on each valid record (no trunk, and a known trunk "t.example"). "" when they agree.
// `on_refusal` sees each refusal of the validator (both readings refused it alike).
template <class OnRefusal>
std::string first_reading_difference(const FlatRecord& flat, const RawRecord& raw,
                                     const AccountResolver& resolve,
                                     const DefaultCountryResolver& default_country,
                                     OnRefusal&& on_refusal) {
  if (flat.fields.size() != raw.fields.size()) {
    return "the field counts differ: " + std::to_string(flat.fields.size()) + " read in place, " +
           std::to_string(raw.fields.size()) + " copied";
  }
  for (std::size_t i = 0; i < flat.fields.size(); ++i) {
    const RawField& want = raw.fields[i];
    const std::string at = "field " + std::to_string(i) + " (" + want.name + "): ";
    if (flat.fields[i].name != want.name) return at + "the names differ";
    if (flat.fields[i].value.kind != want.value.kind) return at + "the kinds differ";
    if (flat.fields[i].value.text != want.value.text) return at + "the texts differ";
    if (!want.value.items.empty() || !want.value.members.empty()) {
      return at + "the copy holds items or members";
    }
  }
  for (const bool with_country : {false, true}) {
    const DefaultCountryResolver country =
        with_country ? default_country : DefaultCountryResolver();
    const std::string how =
        with_country ? "with the default country: " : "without a default country: ";
    CallRecord from_flat, from_raw;
    const Status a = validate_record_into(flat, resolve, country, from_flat);
    const Status b = validate_record_into(raw, resolve, country, from_raw);
    if (a.code() != b.code() || a.message() != b.message()) {
      return how + "the validator answered '" + a.message() + "' in place, '" + b.message() +
             "' copied";
    }
    if (!a.ok()) {
      on_refusal(a);
      continue;
    }
    if (!(from_flat == from_raw)) return how + "the validated records differ";
    for (const std::optional<TrunkFacts>& trunk :
         {std::optional<TrunkFacts>(),
          std::optional<TrunkFacts>(TrunkFacts{"t.example", true, ""})}) {
      CallRecord linked_flat = from_flat, linked_raw = from_raw;
      const Status la = link_known_trunk(linked_flat, flat, trunk);
      const Status lb = link_known_trunk(linked_raw, raw, trunk);
      if (la.code() != lb.code() || la.message() != lb.message()) {
        return how + "the trunk link answered '" + la.message() + "' in place, '" + lb.message() +
               "' copied";
      }
      if (!(linked_flat == linked_raw)) return how + "the linked records differ";
    }
  }
  return "";
}

}  // namespace cdrd::service::ingest
