// Tests of the deterministic sample calls: same bytes for the same options, chunks that join to
// the whole, and records that are valid, self-consistent canonical ingest records.
#include "sample/sample_calls.h"

#include <gtest/gtest.h>
#include <phonenumbers/phonenumberutil.h>
#include <rapidjson/document.h>

#include <map>
#include <random>
#include <regex>
#include <set>
#include <sstream>
#include <tuple>

#include "core/crypto.h"
#include "core/hangup_map.h"
#include "core/money.h"
#include "core/time.h"
#include "sample/prefix_mt64.h"

namespace cdrd::sample {
namespace {

constexpr Micros kFrom = 1'700'000'000LL * kMicrosPerSecond + 250'000;  // not a whole second
constexpr Micros kUntil = kFrom + 30 * kMicrosPerDay;

SampleOptions options(std::uint64_t seed = 7) {
  SampleOptions o;
  o.seed = seed;
  o.auth_ids = {"MAAAAAAAAAAAAAAAAAAA", "MABBBBBBBBBBBBBBBBBB", "MACCCCCCCCCCCCCCCCCC"};
  o.end_from = kFrom;
  o.end_until = kUntil;
  return o;
}

std::string generate(const SampleOptions& o, std::int64_t first, std::int64_t n) {
  std::string out;
  const Status s = append_sample_calls(o, first, n, out);
  EXPECT_TRUE(s.ok()) << s.message();
  return out;
}

// The code of what generating gives for options that cannot make a record.
Status::Code refusal(const SampleOptions& o, std::int64_t first, std::int64_t n) {
  std::string out;
  const Status s = append_sample_calls(o, first, n, out);
  EXPECT_EQ(out, "") << "nothing is appended when the options are refused";
  return s.code();
}

std::vector<std::string> lines_of(const std::string& text) {
  std::vector<std::string> lines;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) lines.push_back(line);
  return lines;
}

Micros time_of(const rapidjson::Value& v, const char* name) {
  const auto t = parse_timestamp(v[name].GetString());
  EXPECT_TRUE(t.has_value()) << name;
  EXPECT_EQ(t->width, kMicrosPerSecond) << name << " has whole seconds";
  return t ? t->start : 0;
}

Money money_of(const rapidjson::Value& v, const char* name) {
  const auto m = Money::parse(v[name].GetString());
  EXPECT_TRUE(m.has_value()) << name;
  EXPECT_EQ(std::string(v[name].GetString()).size() - std::string(v[name].GetString()).find('.'),
            6u)
      << name << " has 5 decimals";
  return m.value_or(Money());
}

TEST(SampleCalls, SameOptionsGiveSameBytes) {
  EXPECT_EQ(generate(options(), 0, 500), generate(options(), 0, 500));
  EXPECT_NE(generate(options(1), 0, 50), generate(options(2), 0, 50));
}

// The bytes of the data set are part of the benchmark's figures (the lists of a run are only
// comparable with an earlier run's over the same calls): any change to the generator that moves
// a byte shows here. The digest is that of the records as first made, SIP-trunk fields alone and
// with the cloud-PBX detail, over records of an account with given trunks and of made-up ones.
TEST(SampleCalls, TheBytesOfTheSequenceStayTheSame) {
  SampleOptions o = options(42);
  o.first_account_percent = 20;
  o.trunks["MABBBBBBBBBBBBBBBBBB"] = {{{"31000000000000", false}}, {{"31000000000001", true}}};
  EXPECT_EQ(sha256_hex(generate(o, 0, 3000)),
            "63e679706aa3d81abba5d7e2a6d462a21b97832dc9dd5507360385aad9fbe1e8");
  o.pbx_detail = true;
  EXPECT_EQ(sha256_hex(generate(o, 1'000'000, 3000)),
            "124b0691e7d47028705afb06a05dd71fa5fa769fdc7197efd2db8fcea7590e64");
}

// The bodies the load generator makes before its clock starts (loadgen ingest --prebuild) are
// the bodies it makes one by one while sending: the same records, cut at the same places,
// whatever the number of threads; joined, they are the pinned bytes above.
TEST(SampleCalls, PrebuiltBatchesAreTheBodiesMadeOneByOne) {
  SampleOptions o = options(42);
  o.first_account_percent = 20;
  o.trunks["MABBBBBBBBBBBBBBBBBB"] = {{{"31000000000000", false}}, {{"31000000000001", true}}};
  // (records, records per body, threads): bodies of one record, a short last body, one body.
  const std::tuple<std::int64_t, std::int64_t, int> cases[] = {
      {3000, 700, 3}, {3000, 3000, 2}, {3000, 5000, 1}, {200, 1, 2}, {200, 7, 8}};
  for (const auto& [records, batch, threads] : cases) {
    const Result<std::vector<std::string>> bodies = make_sample_batches(o, records, batch, threads);
    ASSERT_TRUE(bodies.ok()) << bodies.status().message();
    ASSERT_EQ(bodies->size(), static_cast<std::size_t>((records + batch - 1) / batch));
    std::string joined;
    for (std::size_t b = 0; b < bodies->size(); ++b) {
      // What the load generator sends for body b when it makes it on the fly.
      const auto first = static_cast<std::int64_t>(b) * batch;
      ASSERT_EQ((*bodies)[b], generate(o, first, std::min(batch, records - first)))
          << records << " records, " << batch << " a body, " << threads << " threads, body " << b;
      joined += (*bodies)[b];
    }
    if (records == 3000) {
      EXPECT_EQ(sha256_hex(joined),
                "63e679706aa3d81abba5d7e2a6d462a21b97832dc9dd5507360385aad9fbe1e8");
    } else {
      EXPECT_EQ(joined, generate(o, 0, records));
    }
  }
  EXPECT_EQ(make_sample_batches(o, 0, 10, 2).status().code(), Status::Code::kInvalidArgument);
  EXPECT_EQ(make_sample_batches(o, 10, 0, 2).status().code(), Status::Code::kInvalidArgument);
  SampleOptions none = o;
  none.auth_ids.clear();
  EXPECT_EQ(make_sample_batches(none, 100, 10, 3).status().code(), Status::Code::kInvalidArgument);
}

TEST(PrefixMt64, GivesTheEnginesSequence) {
  for (std::uint64_t seed : {0ULL, 1ULL, 42ULL, 0x9e3779b97f4a7c15ULL, ~0ULL}) {
    std::mt19937_64 engine(seed);
    PrefixMt64 lazy(seed);
    for (int i = 0; i < 1000; ++i)
      ASSERT_EQ(lazy(), engine()) << "seed " << seed << " output " << i;
  }
}

TEST(SampleCalls, TheFirstAccountTakesItsShare) {
  SampleOptions o = options();
  ASSERT_GE(o.auth_ids.size(), 2u);
  auto first_account_calls = [&](int percent) {
    o.first_account_percent = percent;
    int n = 0;
    for (const std::string& line : lines_of(generate(o, 0, 10000))) {
      if (line.find("\"account\":\"" + o.auth_ids[0] + "\"") != std::string::npos) ++n;
    }
    return n;
  };
  EXPECT_NEAR(first_account_calls(20), 2000, 200);
  EXPECT_EQ(first_account_calls(100), 10000);
  // 0 keeps the even spread (and the records it always made).
  EXPECT_NEAR(first_account_calls(0), 10000.0 / static_cast<double>(o.auth_ids.size()), 300);
  o.first_account_percent = 101;
  EXPECT_EQ(refusal(o, 0, 1), Status::Code::kInvalidArgument);
}

TEST(SampleCalls, ChunksJoinToTheWhole) {
  const std::string whole = generate(options(), 100, 1000);
  std::string chunked;
  std::int64_t i = 100;
  for (std::int64_t step : {1, 7, 250, 3, 500, 239}) {
    ASSERT_TRUE(append_sample_calls(options(), i, step, chunked).ok());
    i += step;
  }
  ASSERT_EQ(i, 1100);
  EXPECT_EQ(chunked, whole);
  EXPECT_EQ(lines_of(whole).size(), 1000u);
  // Record i is the same line whatever chunk it was made in.
  EXPECT_EQ(generate(options(), 600, 1) + "", lines_of(whole)[500] + "\n");
}

TEST(SampleCalls, EmptyRequestsAndBadOptions) {
  EXPECT_EQ(generate(options(), 0, 0), "");
  EXPECT_EQ(generate(options(), 5, -3), "");
  SampleOptions none = options();
  none.auth_ids.clear();
  EXPECT_EQ(refusal(none, 0, 1), Status::Code::kInvalidArgument);
  SampleOptions empty = options();
  empty.end_until = empty.end_from;
  EXPECT_EQ(refusal(empty, 0, 1), Status::Code::kInvalidArgument);
  SampleOptions no_whole_second = options();
  no_whole_second.end_until = no_whole_second.end_from + 500'000;  // x.25 s .. x.75 s
  EXPECT_EQ(refusal(no_whole_second, 0, 1), Status::Code::kInvalidArgument);
}

TEST(SampleCalls, OneSecondRangeGivesThatSecond) {
  SampleOptions o = options();
  o.end_from = 1'700'000'000LL * kMicrosPerSecond;
  o.end_until = o.end_from + 1;
  for (const auto& line : lines_of(generate(o, 0, 20))) {
    rapidjson::Document d;
    d.Parse(line.c_str());
    ASSERT_FALSE(d.HasParseError());
    EXPECT_STREQ(d["end_time"].GetString(), "2023-11-14 22:13:20");
  }
}

TEST(SampleCalls, AccountIdsAreEscaped) {
  SampleOptions o = options();
  o.auth_ids = {"odd\"id\\x"};
  rapidjson::Document d;
  d.Parse(generate(o, 0, 1).c_str());
  ASSERT_FALSE(d.HasParseError());
  EXPECT_STREQ(d["account"].GetString(), "odd\"id\\x");
}

// Every record is valid JSON with consistent fields; the mix is roughly the one documented.
TEST(SampleCalls, RecordsAreConsistent) {
  const SampleOptions o = options();
  const auto lines = lines_of(generate(o, 0, 20000));
  ASSERT_EQ(lines.size(), 20000u);
  const std::regex uuid_re("[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}");
  const std::regex number_re("\\+[1-9][0-9]{7,14}");
  const std::regex trunk_re("[1-9][0-9]{16}");
  const std::set<std::string> codes_answered = {"3000", "3010", "3020", "5220", "5240", "5310"};
  std::set<std::string> uuids;
  std::map<std::string, int> accounts, trunks_per_account_seen;
  std::set<std::pair<std::string, std::string>> trunks;
  int outbound = 0, answered = 0, secure = 0, normal = 0, long_calls = 0, whole_minutes = 0;
  int to_9198 = 0;
  for (const auto& line : lines) {
    rapidjson::Document d;
    d.Parse(line.c_str());
    ASSERT_FALSE(d.HasParseError()) << line;
    ASSERT_TRUE(d.IsObject());
    for (const char* f : {"account", "call_uuid", "call_direction", "from_number", "to_number",
                          "initiation_time", "end_time", "hangup_cause_name", "hangup_source",
                          "trunk_id", "trunk_domain", "region", "transport_protocol", "rate",
                          "secure_trunking_rate", "total_amount", "stir_verification", "call_id"}) {
      ASSERT_TRUE(d.HasMember(f) && d[f].IsString()) << f << " in " << line;
    }
    for (const char* f : {"bill_duration", "hangup_cause_code"}) {
      ASSERT_TRUE(d.HasMember(f) && d[f].IsInt64()) << f << " in " << line;
    }
    for (const char* f : {"srtp", "secure_trunking"}) {
      ASSERT_TRUE(d.HasMember(f) && d[f].IsBool()) << f << " in " << line;
    }

    const std::string account = d["account"].GetString();
    accounts[account]++;
    const std::string uuid = d["call_uuid"].GetString();
    EXPECT_TRUE(std::regex_match(uuid, uuid_re)) << uuid;
    EXPECT_TRUE(uuids.insert(uuid).second) << "duplicate " << uuid;
    const std::string direction = d["call_direction"].GetString();
    ASSERT_TRUE(direction == "outbound" || direction == "inbound");
    outbound += direction == "outbound";
    EXPECT_TRUE(std::regex_match(d["from_number"].GetString(), number_re));
    EXPECT_TRUE(std::regex_match(d["to_number"].GetString(), number_re));
    to_9198 +=
        direction == "outbound" && std::string(d["to_number"].GetString()).starts_with("+9198");

    const std::string trunk_id = d["trunk_id"].GetString();
    EXPECT_TRUE(std::regex_match(trunk_id, trunk_re)) << trunk_id;
    EXPECT_EQ(std::string(d["trunk_domain"].GetString()), trunk_id + ".zt.example.net");
    trunks.insert({account, trunk_id});
    const std::string transport = d["transport_protocol"].GetString();
    EXPECT_TRUE(transport == "udp" || transport == "tcp" || transport == "tls");
    if (d["secure_trunking"].GetBool()) {
      ++secure;
      EXPECT_EQ(transport, "tls");
    } else {
      EXPECT_FALSE(d["srtp"].GetBool());
    }

    // Times: end in range; initiation <= answer <= end; duration = end - answer.
    const Micros init = time_of(d, "initiation_time"), end = time_of(d, "end_time");
    EXPECT_GE(end, o.end_from);
    EXPECT_LT(end, o.end_until);
    EXPECT_LE(init, end);
    const std::int64_t bill = d["bill_duration"].GetInt64();
    const std::string code = std::to_string(d["hangup_cause_code"].GetInt());
    if (d.HasMember("answer_time")) {
      ++answered;
      const Micros answer = time_of(d, "answer_time");
      EXPECT_LE(init, answer);
      ASSERT_TRUE(d.HasMember("duration") && d["duration"].IsInt64());
      const std::int64_t duration = d["duration"].GetInt64();
      EXPECT_EQ(duration * kMicrosPerSecond, end - answer);
      EXPECT_GE(duration, 1);
      EXPECT_LE(duration, 7200);
      EXPECT_GE(bill, duration);
      EXPECT_LT(bill, duration + 60);
      EXPECT_TRUE(bill == duration || bill % 60 == 0) << "60/60 or 1/1 billing";
      whole_minutes += bill % 60 == 0;
      long_calls += duration > 1800;
      EXPECT_TRUE(codes_answered.count(code)) << code;
      normal += code == "3000" || code == "3010";
    } else {
      EXPECT_FALSE(d.HasMember("duration"));
      EXPECT_EQ(bill, 0);
      EXPECT_TRUE(code[0] >= '4' && code[0] <= '6') << code;
    }
    const std::string source = d["hangup_source"].GetString();
    EXPECT_TRUE(source == "customer" || source == "carrier" || source == "zentrunk");

    // Money: total = (rate + secure) x bill / 60, half up, in 1/100000 units.
    const Money rate = money_of(d, "rate"), secure_rate = money_of(d, "secure_trunking_rate");
    const Money total = money_of(d, "total_amount");
    EXPECT_EQ(total.units(), ((rate + secure_rate).units() * bill + 30) / 60) << line;
    EXPECT_EQ(secure_rate.is_zero(), !d["secure_trunking"].GetBool());

    // STIR/SHAKEN and its attestation agree.
    const std::string stir = d["stir_verification"].GetString();
    if (stir == "Verified") {
      EXPECT_STREQ(d["attestation_indicator"].GetString(), "A");
    } else if (stir == "Not Verified") {
      const std::string a = d["attestation_indicator"].GetString();
      EXPECT_TRUE(a == "B" || a == "C") << a;
    } else {
      EXPECT_EQ(stir, "Not Applicable");
      EXPECT_FALSE(d.HasMember("attestation_indicator"));
    }
    EXPECT_NE(std::string(d["call_id"].GetString()).find('@'), std::string::npos);
  }

  const double n = static_cast<double>(lines.size());
  EXPECT_NEAR(outbound / n, 0.65, 0.03);
  EXPECT_NEAR(answered / n, 0.75, 0.03);
  EXPECT_GT(normal, answered * 9 / 10);
  EXPECT_GT(long_calls, 0);
  EXPECT_GT(whole_minutes, 0);
  EXPECT_GT(to_9198, lines.size() / 20);  // the benchmark's filtered page needs these
  EXPECT_EQ(accounts.size(), o.auth_ids.size());
  for (const auto& [account, count] : accounts) EXPECT_GT(count, 20000 / 3 - 500) << account;
  EXPECT_GE(trunks.size(), 2 * o.auth_ids.size()) << "several trunks per account";
  EXPECT_GE(secure, 0);
}

// An account given real trunks sends its calls over them, by direction, naming only the
// trunk_id; the secure surcharge follows the trunk's secure flag. Other accounts keep their
// made-up trunks, and their records do not change.
TEST(SampleCalls, GivenTrunksAreUsedByDirection) {
  SampleOptions plain = options(11);
  SampleOptions o = options(11);
  o.trunks["MABBBBBBBBBBBBBBBBBB"] =
      AccountTrunks{{{"501", false}, {"502", true}}, {{"601", false}}};
  const auto with = lines_of(generate(o, 0, 600));
  const auto without = lines_of(generate(plain, 0, 600));
  ASSERT_EQ(with.size(), without.size());
  std::map<std::string, int> used;
  for (std::size_t i = 0; i < with.size(); ++i) {
    rapidjson::Document d;
    d.Parse(with[i].c_str());
    ASSERT_FALSE(d.HasParseError());
    if (std::string(d["account"].GetString()) != "MABBBBBBBBBBBBBBBBBB") {
      EXPECT_EQ(with[i], without[i]);
      continue;
    }
    const std::string trunk = d["trunk_id"].GetString();
    const bool outbound = std::string(d["call_direction"].GetString()) == "outbound";
    EXPECT_TRUE(outbound ? (trunk == "501" || trunk == "502") : trunk == "601") << with[i];
    EXPECT_FALSE(d.HasMember("trunk_domain"));
    EXPECT_FALSE(d.HasMember("secure_trunking"));
    EXPECT_EQ(money_of(d, "secure_trunking_rate").is_zero(), trunk != "502") << with[i];
    if (trunk == "502") {
      EXPECT_EQ(std::string(d["transport_protocol"].GetString()), "tls");
    }
    used[trunk]++;
  }
  EXPECT_EQ(used.size(), 3u);
  o.trunks["MABBBBBBBBBBBBBBBBBB"].inbound.clear();
  EXPECT_EQ(refusal(o, 0, 1), Status::Code::kInvalidArgument);
}

// from_country / to_country name the country of the number, as libphonenumber sees it.
TEST(SampleCalls, CountriesMatchTheNumbers) {
  using i18n::phonenumbers::PhoneNumber;
  using i18n::phonenumbers::PhoneNumberUtil;
  const PhoneNumberUtil& util = *PhoneNumberUtil::GetInstance();
  SampleOptions o = options(99);
  for (int i = 0; i < 40; ++i) o.auth_ids.push_back("MA" + std::to_string(1000 + i));
  std::map<std::string, int> seen;
  for (const auto& line : lines_of(generate(o, 0, 5000))) {
    rapidjson::Document d;
    d.Parse(line.c_str());
    ASSERT_FALSE(d.HasParseError());
    for (const auto& [number_key, country_key] :
         {std::pair{"from_number", "from_country"}, std::pair{"to_number", "to_country"}}) {
      const std::string number = d[number_key].GetString();
      ASSERT_TRUE(d.HasMember(country_key)) << number;
      const std::string country = d[country_key].GetString();
      PhoneNumber parsed;
      ASSERT_EQ(util.Parse(number, "ZZ", &parsed), PhoneNumberUtil::NO_PARSING_ERROR) << number;
      EXPECT_TRUE(util.IsValidNumber(parsed)) << number;
      std::string region;
      util.GetRegionCodeForNumber(parsed, &region);
      EXPECT_EQ(region, country) << number;
      seen[country]++;
    }
  }
  EXPECT_EQ(seen.size(), 6u);
}

// The demo names its account's draws: the same calls whatever auth_id the account got.
TEST(SampleCalls, AnAccountSeedNameGivesTheSameCallsToAnyAuthId) {
  SampleOptions a = options();
  a.auth_ids = {"MAAAAAAAAAAAAAAAAAAA"};
  a.account_seeds["MAAAAAAAAAAAAAAAAAAA"] = "demo";
  SampleOptions b = a;
  b.auth_ids = {"MAZZZZZZZZZZZZZZZZZZ"};
  b.account_seeds = {{"MAZZZZZZZZZZZZZZZZZZ", "demo"}};
  std::string x = generate(a, 0, 200), y = generate(b, 0, 200);
  EXPECT_NE(x, y);  // the account field differs...
  for (std::string* t : {&x, &y}) {
    for (auto at = t->find("\"account\":\""); at != std::string::npos;
         at = t->find("\"account\":\"", at + 1)) {
      t->replace(at + 11, 20, "MA??????????????????");
    }
  }
  EXPECT_EQ(x, y);  // ...and nothing else
}

// Without the detail fields the records are byte for byte those of before (the benchmark's
// data set); with them, every other field keeps its value.
TEST(SampleCalls, PbxDetailAddsFieldsAndChangesNoOther) {
  SampleOptions plain = options();
  SampleOptions detail = options();
  detail.pbx_detail = true;
  const auto a = lines_of(generate(plain, 0, 2000));
  const auto b = lines_of(generate(detail, 0, 2000));
  ASSERT_EQ(a.size(), b.size());
  for (std::size_t i = 0; i < a.size(); ++i) {
    rapidjson::Document x, y;
    x.Parse(a[i].c_str());
    y.Parse(b[i].c_str());
    for (auto m = x.MemberBegin(); m != x.MemberEnd(); ++m) {
      ASSERT_TRUE(y.HasMember(m->name)) << m->name.GetString();
      EXPECT_TRUE(y[m->name] == m->value) << m->name.GetString() << " in " << b[i];
    }
    EXPECT_FALSE(x.HasMember("legs"));
    EXPECT_TRUE(y.HasMember("legs"));
  }
}

// The cloud-PBX fields agree with the SIP-trunk ones: the result with the answer and the Q.850
// cause, the disposition with who hung up, the legs and the quality metrics with the times.
TEST(SampleCalls, PbxDetailIsConsistentWithTheCall) {
  SampleOptions o = options();
  o.pbx_detail = true;
  const std::map<std::string, std::string> result_of_q850 = {
      {"USER_BUSY", "busy"},         {"ORIGINATOR_CANCEL", "not answered"},
      {"NO_ANSWER", "not answered"}, {"NO_USER_RESPONSE", "not answered"},
      {"CALL_REJECTED", "rejected"}, {"OUTGOING_CALL_BARRED", "rejected"}};
  std::map<std::string, int> results, causes;
  int two_legs = 0, recorded = 0, with_rtt = 0;
  for (const auto& line : lines_of(generate(o, 0, 5000))) {
    rapidjson::Document d;
    d.Parse(line.c_str());
    ASSERT_FALSE(d.HasParseError()) << line;
    const bool answered = d.HasMember("answer_time");
    const bool outbound = std::string(d["call_direction"].GetString()) == "outbound";
    const std::string code = std::to_string(d["hangup_cause_code"].GetInt());
    const std::string q850 = d["q850_cause"].GetString();
    const std::string result = d["result"].GetString();
    const std::string disposition = d["hangup_disposition"].GetString();
    const std::string source = d["hangup_source"].GetString();
    // The cloud-PBX view's table of causes (core/hangup_map.h, docs/api-pbx.md).
    EXPECT_EQ(q850, q850_name_of_hangup_code(std::stoi(code))) << line;
    if (answered) {
      EXPECT_EQ(result, outbound ? "bridged" : "answered") << line;
      EXPECT_TRUE(d.HasMember("rtt_ms") && d.HasMember("jitter_ms") &&
                  d.HasMember("packet_loss_pct"))
          << line;
      ++with_rtt;
    } else {
      EXPECT_EQ(result, result_of_q850.contains(q850) ? result_of_q850.at(q850) : "failed") << line;
      EXPECT_FALSE(d.HasMember("rtt_ms")) << line;
    }
    if (disposition == "caller_bye" || disposition == "caller_cancel") {
      EXPECT_EQ(source, outbound ? "customer" : "carrier") << line;  // the caller's side
    }
    EXPECT_EQ(disposition.ends_with("_bye"), answered && disposition != "internal_cancel") << line;
    EXPECT_TRUE(d.HasMember("post_dial_delay_ms")) << line;
    EXPECT_TRUE(d.HasMember("caller_carrier") && d.HasMember("to_region")) << line;
    const auto& legs = d["legs"];
    ASSERT_TRUE(legs.IsArray() && (legs.Size() == 1 || legs.Size() == 2)) << line;
    two_legs += legs.Size() == 2;
    const auto& last = legs[legs.Size() - 1];
    EXPECT_EQ(std::string(last["hangup_cause"].GetString()), q850) << line;
    EXPECT_EQ(std::string(last["flow"].GetString()), outbound ? "out" : "in") << line;
    EXPECT_EQ(last["duration"].GetInt64(), answered ? d["duration"].GetInt64() : 0) << line;
    EXPECT_EQ(time_of(last, "hangup_time"), time_of(d, "end_time")) << line;
    if (last.HasMember("record_uuid")) {
      EXPECT_TRUE(answered) << line;
      ++recorded;
    }
    results[result]++;
    causes[q850]++;
  }
  EXPECT_GT(two_legs, 200);
  EXPECT_GT(recorded, 1000);
  EXPECT_GT(with_rtt, 3000);
  for (const char* r : {"answered", "bridged", "busy", "not answered", "rejected", "failed"}) {
    EXPECT_GT(results[r], 20) << r;
  }
  EXPECT_GE(causes.size(), 10u);
}

}  // namespace
}  // namespace cdrd::sample
