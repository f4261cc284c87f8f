// An ingest batch writes its records into the spent records a store hands back
// (CallStore::take_spent_records) when it has them: the records it hands to the store must be
// exactly those it makes from new ones, whatever the spent records held (every field set, legs,
// long strings), with failed lines among the valid ones and chunks of every size.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "service/ingest/ingest.h"
#include "service/rating/rating_service.h"
#include "store/forwarding_call_store.h"
#include "testing/keeping_call_store.h"
#include "testing/stores.h"
#include "testing/values.h"

namespace cdrd::service::ingest::spent_records_test {

using cdrd::testing::at;

constexpr const char* kAuthId = "MA0000000000000000SP";

// A record with every field away from its default, and strings longer than the short-string room.
CallRecord dirty_record(int i) {
  const std::string junk = "junk-" + std::to_string(i) + std::string(40, 'z');
  CallRecord r;
  r.account_id = 99;
  for (std::string* s : {&r.call_uuid,
                         &r.from_number,
                         &r.to_number,
                         &r.hangup_cause_name,
                         &r.trunk_id,
                         &r.trunk_domain,
                         &r.region,
                         &r.from_country,
                         &r.to_country,
                         &r.sip_call_id,
                         &r.from_username,
                         &r.from_domain,
                         &r.from_screen_name,
                         &r.to_username,
                         &r.to_domain,
                         &r.did_number,
                         &r.did_domain,
                         &r.bridged_username,
                         &r.bridged_domain,
                         &r.extension_name,
                         &r.extension_type,
                         &r.diversion_number,
                         &r.result,
                         &r.hangup_disposition,
                         &r.q850_cause,
                         &r.quality.caller_carrier,
                         &r.quality.callee_carrier,
                         &r.quality.from_region,
                         &r.quality.to_region}) {
    *s = junk;
  }
  r.direction = Direction::kInbound;
  r.initiation_time = 1;
  r.answer_time = 2;
  r.end_time = 3;
  r.duration_s = 4;
  r.bill_duration_s = 5;
  r.hangup_cause_code = 4000;
  r.hangup_source = HangupSource::kCarrier;
  r.transport = Transport::kTls;
  r.srtp = r.secure_trunking = r.cnam_lookup = true;
  r.rate = r.secure_trunking_rate = r.total_amount = r.cnam_lookup_rate = *Money::parse("1.5");
  r.rating = RatingState::kRated;
  r.stir_verification = StirVerification::kVerified;
  r.attestation = Attestation::kA;
  r.bridged_time = 6;
  r.bridged_duration_s = 7;
  r.extension_id = 8;
  r.extension_group_owner_id = 9;
  r.ext_number_reg = junk;
  r.quality_rate = 10;
  r.quality_max_rate = 11;
  r.legs.resize(2);
  r.legs[0].record_uuid = junk;
  r.legs[1].extension_id = 12;
  r.quality.rtt_ms = r.quality.jitter_ms = r.quality.packet_loss_pct = 13.5;
  r.quality.post_dial_delay_ms = 14;
  return r;
}

// A call store that keeps a copy of every record given, and hands out `spent` dirty records
// whenever asked for spent ones.
class SpentRecordsStore final : public ForwardingCallStore {
 public:
  explicit SpentRecordsStore(std::size_t spent) : ForwardingCallStore(kept_), spent_(spent) {}
  std::vector<CallRecord> take_spent_records() override {
    ++taken;
    std::vector<CallRecord> out;
    for (std::size_t i = 0; i < spent_; ++i) out.push_back(dirty_record(static_cast<int>(i)));
    return out;
  }
  const std::vector<CallRecord>& kept() const { return kept_.kept; }
  int taken = 0;

 private:
  cdrd::testing::KeepingCallStore kept_{true};
  std::size_t spent_;
};

// Lines of every kind: rich valid records (flat, and with legs), failed ones in between.
std::string body_of(int lines) {
  std::string body;
  for (int i = 0; i < lines; ++i) {
    const std::string uuid = "spent-" + std::to_string(i);
    if (i % 7 == 3) {
      body += "{\"account\": \"" + std::string(kAuthId) + "\", \"call_uuid\": \"" + uuid +
              "\", \"call_direction\": \"sideways\"}\n";
      continue;
    }
    body += "{\"account\": \"" + std::string(kAuthId) + "\", \"call_uuid\": \"" + uuid +
            "\", \"call_direction\": \"outbound\", \"from_number\": \"+912235328936\", "
            "\"to_number\": \"+919943720205\", \"initiation_time\": \"2026-11-30 10:00:10\", "
            "\"end_time\": \"2026-11-30 10:00:40\"";
    if (i % 2 == 0) {
      body += ", \"answer_time\": \"2026-11-30 10:00:12\", \"call_id\": \"" + uuid +
              "@10.0.0.1\", \"region\": \"eu-central\", \"hangup_cause_code\": 4000";
    }
    if (i % 5 == 0) {
      body +=
          ", \"legs\": [{\"flow\": \"out\", \"init_time\": \"2026-11-30 10:00:10\", "
          "\"hangup_time\": \"2026-11-30 10:00:40\", \"record_uuid\": \"r-" +
          uuid + "\"}]";
    }
    if (i % 3 == 0) body += ", \"rtt_ms\": 12.5, \"from_domain\": \"pbx.example\"";
    body += "}\n";
  }
  return body;
}

class SpentRecordsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    stores_ = cdrd::testing::open_stores_in(dir_);
    rating_ = std::make_unique<RatingService>(stores_->accounts, stores_->rating);
    cdrd::testing::add_account(*stores_, "spent", kAuthId);
    settings_.now = [] { return at("2026-11-30 12:00:00"); };
  }

  // The records ingest hands to `calls` for `body`, with the counts.
  BatchResult ingest(CallStore& calls, const std::string& body) {
    const IngestService service(stores_->accounts, calls, stores_->trunks, *rating_, settings_);
    Result<BatchResult> r = service.ingest_text(body, Format::kNdjson);
    EXPECT_TRUE(r.ok()) << r.status().message();
    return r.ok() ? *r : BatchResult{};
  }

  cdrd::testing::TempDir dir_{"cdrd_spent_"};
  std::unique_ptr<sqlite::Stores> stores_;
  std::unique_ptr<RatingService> rating_;
  IngestSettings settings_;
};

TEST_F(SpentRecordsTest, RecordsWrittenIntoSpentOnesAreThoseWrittenIntoNewOnes) {
  // Bodies of a few lines (no spent records taken), of more lines than the spent records, of
  // fewer, and of more than one chunk.
  const std::pair<int, std::size_t> kCases[] = {{5, 700},   {300, 0},     {300, 1},     {300, 700},
                                                {2'000, 1}, {2'000, 700}, {10'300, 700}};
  for (const auto& [lines, spent] : kCases) {
    {
      SCOPED_TRACE("lines " + std::to_string(lines) + ", spent " + std::to_string(spent));
      const std::string body = body_of(lines);
      cdrd::testing::KeepingCallStore fresh(true);
      SpentRecordsStore recycled(spent);
      const BatchResult a = ingest(fresh, body);
      const BatchResult b = ingest(recycled, body);
      EXPECT_EQ(a.stored, b.stored);
      EXPECT_EQ(a.failed_count, b.failed_count);
      EXPECT_GT(a.failed_count, 0);
      ASSERT_EQ(fresh.kept.size(), recycled.kept().size());
      for (std::size_t i = 0; i < fresh.kept.size(); ++i) {
        ASSERT_TRUE(fresh.kept[i] == recycled.kept()[i]) << "record " << i;
      }
      // Only a chunk made for many records asks for spent ones.
      EXPECT_EQ(recycled.taken > 0, lines >= 300);
    }
  }
}

TEST(SpentRecords, AssigningADefaultRecordKeepsTheStringsRoom) {
  const CallRecord fresh;
  CallRecord r = dirty_record(1);
  const std::size_t room = r.call_uuid.capacity();
  r = fresh;
  EXPECT_TRUE(r == CallRecord{});
  // A string copied from a shorter one keeps its room: what the ingest batch counts on to write
  // a spent record's strings without allocating.
  EXPECT_EQ(r.call_uuid.capacity(), room);
}

}  // namespace cdrd::service::ingest::spent_records_test
