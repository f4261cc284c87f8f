// A CallStore held to another, the reference (the sqlite store): the same random calls written to
// both must give the same outcomes, and random lists, usage queries, retrieves, change feeds and
// exports the same answers, row for row and field for field. The differential tests of the
// ClickHouse and the segment call stores share it. Test code only (gtest assertions).
#pragma once

#include <gtest/gtest.h>

#include <algorithm>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "core/call_export.h"
#include "store/call_store.h"
#include "testing/random_calls.h"

namespace cdrd::testing {

inline std::string describe(const Result<Page<CallRecord>>& page) {
  if (!page.ok()) return "error: " + page.status().message();
  std::string s = "total " + std::to_string(page->total_count) + ":";
  for (const CallRecord& c : page->rows) s += " " + c.call_uuid;
  return s;
}

inline std::string describe(const Result<UsageAnswer>& a) {
  if (!a.ok()) return "error: " + a.status().message();
  // With more rows than asked for, the API refuses: which rows came first does not matter.
  if (a->more) return "more";
  std::string s;
  for (const UsageRow& r : a->rows) {
    s += " [" + std::to_string(r.period_start) + " " + r.group + " " +
         std::to_string(r.totals.calls) + " " + std::to_string(r.totals.answered_calls) + " " +
         std::to_string(r.totals.answered_duration_s) + " " +
         std::to_string(r.totals.bill_duration_s) + " " +
         std::to_string(r.totals.total_amount.units()) + "]";
  }
  return s;
}

// A random call with the fields the list filters do not read filled too, in shapes that test
// a store's encodings: tabs, newlines, backslashes, quotes, bytes that are not UTF-8, legs,
// doubles.
inline CallRecord rich_call(Random& rnd) {
  CallRecord c = random_call(rnd);
  if (rnd.chance(60)) c.answer_time = c.end_time - 1'000'000 * c.duration_s;
  c.hangup_cause_name = rnd.pick<std::string>({"", "normal", "a\tb\nc\\d'e\"", "\xff\xfe\x01"});
  c.to_country = rnd.pick<std::string>({"", "DE", "GB", "US"});
  c.total_amount = Money::from_units(rnd.between(-50, 100'000));
  c.rate = Money::from_units(rnd.between(0, 5'000));
  c.transport = static_cast<Transport>(rnd.between(0, 2));
  c.attestation = static_cast<Attestation>(rnd.between(0, 3));
  c.rating = static_cast<RatingState>(rnd.between(0, 2));
  c.srtp = rnd.chance(50);
  if (rnd.chance(30)) c.ext_number_reg = rnd.chance(50) ? "" : "+4930 \\N";
  if (rnd.chance(30)) c.quality.rtt_ms = static_cast<double>(rnd.between(0, 1'000'000)) / 7.0;
  if (rnd.chance(30)) c.quality.packet_loss_pct = 1e-9 * static_cast<double>(rnd.between(1, 9));
  if (rnd.chance(20)) c.quality_rate = static_cast<int>(rnd.between(0, 5));
  if (rnd.chance(20)) {
    CallLeg leg;
    leg.record_uuid = "leg\t1";
    leg.flow = "out";
    leg.extension_id = rnd.between(1, 9);
    leg.init_time = c.initiation_time;
    leg.hangup_time = c.end_time;
    leg.ext_number_reg = std::string("\0x", 2);
    c.legs = {leg, leg};
  }
  return c;
}

// `got` held to `want` over the calls of two accounts. `full_text` makes one line of every
// field of a call (each store's own encoding of it will do).
struct StoreComparison {
  CallStore& want;
  CallStore& got;
  std::int64_t account = 0, other = 0;
  std::function<std::string(const CallRecord&)> full_text;

  // Inserts into both stores; their outcomes must agree.
  void insert_both(const std::vector<CallRecord>& calls) const {
    Result<std::vector<InsertOutcome>> a = want.insert_calls(calls);
    Result<std::vector<InsertOutcome>> b = got.insert_calls(calls);
    ASSERT_TRUE(a.ok()) << a.status().message();
    ASSERT_TRUE(b.ok()) << b.status().message();
    ASSERT_EQ(*a, *b);
  }

  // `n` random calls of the two accounts (80% the first), with uuids "call-K" from
  // `next_uuid` on; now and then (5%) a uuid used before, in another letter case: a duplicate.
  std::vector<CallRecord> random_batch(Random& rnd, int n, std::int64_t& next_uuid) const {
    std::vector<CallRecord> calls;
    for (int i = 0; i < n; ++i) {
      CallRecord c = rich_call(rnd);
      c.account_id = rnd.chance(80) ? account : other;
      const bool again = rnd.chance(5) && next_uuid > 0;
      const std::int64_t uuid = again ? rnd.between(0, next_uuid - 1) : next_uuid++;
      c.call_uuid = (again && rnd.chance(50) ? "CALL-" : "call-") + std::to_string(uuid);
      calls.push_back(std::move(c));
    }
    return calls;
  }

  void expect_same_lists(Random& rnd, int queries, std::int64_t rows,
                         const std::string& when) const {
    for (int i = 0; i < queries; ++i) {
      CallQuery q = random_query(rnd, rows);
      q.account_id = rnd.chance(90) ? account : other;
      const Result<Page<CallRecord>> a = want.list_calls(q);
      const Result<Page<CallRecord>> b = got.list_calls(q);
      ASSERT_TRUE(b.ok()) << b.status().message();
      ASSERT_EQ(describe(b), describe(a)) << when << ", query " << i;
      for (std::size_t r = 0; r < b->rows.size(); ++r) {
        ASSERT_EQ(full_text(b->rows[r]), full_text(a->rows[r])) << when << ", query " << i;
      }
    }
  }

  void expect_same_usage(Random& rnd, int queries, std::int64_t rows,
                         const std::string& when) const {
    for (int i = 0; i < queries; ++i) {
      UsageQuery u;
      u.filter = random_query(rnd, rows);
      u.filter.account_id = rnd.chance(90) ? account : other;
      u.period = static_cast<UsagePeriod>(rnd.between(0, 2));
      if (rnd.chance(70)) u.group_by = static_cast<UsageGroup>(rnd.between(0, 3));
      u.max_rows = rnd.chance(20) ? static_cast<int>(rnd.between(0, 3)) : 10'000;
      ASSERT_EQ(describe(got.usage(u)), describe(want.usage(u))) << when << " " << i;
    }
  }

  // find_call of uuids "call-K"/"CALL-K" for K up to next_uuid + 5: any letter case, the
  // spelling first stored, the served_from floor.
  void expect_same_finds(Random& rnd, int n, std::int64_t next_uuid) const {
    for (int i = 0; i < n; ++i) {
      const std::string uuid =
          (rnd.chance(50) ? "CALL-" : "call-") + std::to_string(rnd.between(0, next_uuid + 5));
      const std::int64_t in = rnd.chance(80) ? account : other;
      const Micros from = rnd.chance(50) ? 0 : 1'000'000 * rnd.between(0, 400);
      Result<std::optional<CallRecord>> a = want.find_call(in, uuid, from);
      Result<std::optional<CallRecord>> b = got.find_call(in, uuid, from);
      ASSERT_TRUE(b.ok()) << b.status().message();
      ASSERT_EQ(b->has_value(), a->has_value()) << uuid;
      if (*b) {
        ASSERT_EQ(full_text(**b), full_text(**a)) << uuid;
      }
    }
  }

  // The whole change feed of the account, page by page: the uuids in storage order.
  static std::vector<std::string> feed(CallStore& store, std::int64_t account_id) {
    std::vector<std::string> out;
    std::int64_t after = 0;
    for (;;) {
      Result<std::vector<StoredCall>> page = store.calls_stored_after(account_id, after, 0, 37);
      EXPECT_TRUE(page.ok()) << page.status().message();
      if (!page.ok() || page->empty()) return out;
      for (const StoredCall& s : *page) {
        EXPECT_GT(s.id, after);
        after = s.id;
        out.push_back(s.call.call_uuid);
      }
    }
  }
  void expect_same_feeds() const {
    EXPECT_EQ(feed(got, account), feed(want, account));
    EXPECT_EQ(feed(got, other), feed(want, other));
  }

  // The export of (after_id, through_id] as NDJSON lines (storage ids left out), in the order
  // handed; `ids` gets the ids. The count returned must be the lines handed.
  static std::vector<std::string> exported(CallStore& store, const ExportQuery& q,
                                           std::int64_t after_id, std::int64_t through_id,
                                           std::vector<std::int64_t>* ids = nullptr) {
    std::vector<std::string> lines;
    CallExportFormatter f(ExportFormat::kNdjson);
    std::int64_t last = after_id;
    Result<std::int64_t> n =
        store.export_calls(q, after_id, through_id, [&](const CallExportRow& r) {
          EXPECT_GT(r.id, last);
          EXPECT_LE(r.id, through_id);
          last = r.id;
          if (ids != nullptr) ids->push_back(r.id);
          std::string line = std::to_string(r.account_id) + " ";
          f.append(line, r, "AUTH");
          lines.push_back(std::move(line));
        });
    EXPECT_TRUE(n.ok()) << n.status().message();
    if (n.ok()) {
      EXPECT_EQ(*n, static_cast<std::int64_t>(lines.size()));
    }
    return lines;
  }

  // Random queries over random windows: the storage ids may differ, so a window is a range of
  // positions in storage order, mapped to each store's ids.
  void expect_same_exports(Random& rnd, int queries, std::int64_t rows,
                           const std::string& when) const {
    ExportQuery all;
    all.all_accounts = true;
    std::vector<std::int64_t> ids[2];
    const std::vector<std::string> whole[2] = {
        exported(want, all, 0, *want.last_call_id(), &ids[0]),
        exported(got, all, 0, *got.last_call_id(), &ids[1])};
    ASSERT_EQ(whole[1], whole[0]) << when;
    const auto n = static_cast<std::int64_t>(ids[0].size());
    const auto id_at = [&](int store, std::int64_t position) {  // 0: before the first
      return position == 0 ? std::int64_t{0} : ids[store][static_cast<std::size_t>(position - 1)];
    };
    for (int i = 0; i < queries; ++i) {
      ExportQuery q;
      q.filter = random_query(rnd, rows);
      q.filter.account_id = rnd.chance(80) ? account : other;
      q.all_accounts = rnd.chance(25);
      if (rnd.chance(20)) q.served_from = 1'000'000 * rnd.between(0, 400);
      std::int64_t from = rnd.chance(30) ? 0 : rnd.between(0, n);
      std::int64_t to = rnd.chance(30) ? n : rnd.between(0, n);
      if (from > to) std::swap(from, to);
      const std::vector<std::string> a = exported(want, q, id_at(0, from), id_at(0, to));
      const std::vector<std::string> b = exported(got, q, id_at(1, from), id_at(1, to));
      ASSERT_EQ(b, a) << when << ", export " << i << " of positions (" << from << ", " << to << "]";
    }
  }

  // Retention to `floor` in both, in batches of 97.
  void delete_both_before(Micros floor) const {
    for (CallStore* s : {&want, &got}) {
      for (;;) {
        Result<std::int64_t> n = s->delete_calls_ended_before(floor, 97);
        ASSERT_TRUE(n.ok()) << n.status().message();
        if (*n < 97) break;
      }
    }
  }
};

}  // namespace cdrd::testing
