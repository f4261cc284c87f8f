// Deterministic sample calls. Every record draws from its own std::mt19937_64, seeded from
// (seed, index) through splitmix64; every account draws its trunks and numbers from a generator
// seeded from its auth_id. Only raw 64-bit outputs are used (helpers below), so the bytes are the
// same with every standard library.
#include "sample/sample_calls.h"

#include <algorithm>
#include <array>
#include <atomic>
#include <charconv>
#include <mutex>
#include <random>
#include <span>
#include <string_view>
#include <thread>

#include "core/hangup_map.h"
#include "core/json_writer.h"
#include "core/money.h"
#include "sample/prefix_mt64.h"

namespace cdrd::sample {
namespace {

std::uint64_t splitmix64(std::uint64_t x) {
  x += 0x9e3779b97f4a7c15ULL;
  x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
  x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
  return x ^ (x >> 31);
}

std::uint64_t fnv1a(std::string_view s) {
  std::uint64_t h = 0xcbf29ce484222325ULL;
  for (unsigned char c : s) h = (h ^ c) * 0x100000001b3ULL;
  return h;
}

// Small helpers over the raw generator output (never std::*_distribution).
class Rng {
 public:
  explicit Rng(std::uint64_t seed) : gen_(seed) {}

  std::uint64_t next() { return gen_(); }
  // Uniform in [0, n), without modulo bias. n > 0.
  std::uint64_t below(std::uint64_t n) {
    const std::uint64_t threshold = (0 - n) % n;  // 2^64 mod n
    for (;;) {
      const std::uint64_t x = gen_();
      if (x >= threshold) return x % n;
    }
  }
  // Uniform in [lo, hi].
  std::int64_t between(std::int64_t lo, std::int64_t hi) {
    return lo + static_cast<std::int64_t>(below(static_cast<std::uint64_t>(hi - lo) + 1));
  }
  // True with probability per_mille / 1000.
  bool chance(int per_mille) { return below(1000) < static_cast<std::uint64_t>(per_mille); }
  // Index i with probability weight(items[i]) / sum of weights.
  template <class T, class W>
  std::size_t weighted(std::span<const T> items, W weight) {
    std::uint64_t total = 0;
    for (const T& t : items) total += static_cast<std::uint64_t>(weight(t));
    std::uint64_t x = below(total);
    for (std::size_t i = 0; i < items.size(); ++i) {
      const auto w = static_cast<std::uint64_t>(weight(items[i]));
      if (x < w) return i;
      x -= w;
    }
    return items.size() - 1;
  }
  template <class T>
  const T& pick(const std::vector<T>& items) {
    return items[below(items.size())];
  }

 private:
  PrefixMt64 gen_;  // std::mt19937_64's sequence, made lazily (prefix_mt64.h)
};

// ---- vocabulary ----------------------------------------------------------------------------

// A block of numbers of one country: prefix, then one digit of `first` (if not empty), then
// `rest` free digits. Rates are per minute in 1/100000 units; billing is 60/60 or 1/1.
struct NumberPlan {
  std::string_view country;
  std::string_view prefix;
  std::string_view first;
  int rest;
  int weight;  // share of the outbound destinations and inbound callers, per mille
  std::int64_t rate_units;
  int increment_s;  // 60 (60/60) or 1 (1/1)
};

constexpr std::array<NumberPlan, 19> kPlans = {{
    {"IN", "+9198", "", 8, 140, 1200, 60},   // mobile
    {"IN", "+9199", "", 8, 90, 1200, 60},    // mobile
    {"IN", "+9122", "246", 7, 50, 900, 60},  // Mumbai
    {"IN", "+9180", "24", 7, 40, 900, 60},   // Bengaluru
    {"US", "+1212", "23456789", 6, 60, 500, 1},   {"US", "+1310", "23456789", 6, 50, 500, 1},
    {"US", "+1415", "23456789", 6, 50, 500, 1},   {"US", "+1646", "23456789", 6, 50, 500, 1},
    {"US", "+1312", "23456789", 6, 40, 500, 1},   {"GB", "+4420", "378", 7, 60, 800, 1},  // London
    {"GB", "+44771", "", 7, 60, 1500, 1},                                                 // mobile
    {"BR", "+55219", "6789", 7, 40, 2000, 60},     // Rio de Janeiro mobile
    {"BR", "+55119", "6789", 7, 40, 2000, 60},     // Sao Paulo mobile
    {"BR", "+55113", "", 7, 20, 1100, 60},         // Sao Paulo
    {"DE", "+4930", "123456789", 7, 50, 900, 1},   // Berlin
    {"DE", "+49151", "", 8, 50, 1600, 1},          // mobile
    {"RU", "+7495", "23456789", 6, 30, 9000, 60},  // Moscow
    {"RU", "+7916", "", 7, 25, 9500, 60},          // mobile
    {"RU", "+7903", "", 7, 25, 9500, 60},          // mobile
}};

// Home countries of accounts, the regions their trunks use and the per-minute inbound rate of
// their numbers (1/100000 units).
struct Home {
  std::string_view country;
  std::array<std::string_view, 2> regions;
  std::int64_t inbound_rate_units;
};

constexpr std::array<Home, 5> kHomes = {{
    {"US", {"us-east-1", "us-west-1"}, 300},
    {"IN", {"ap-south-1", "ap-southeast-1"}, 450},
    {"GB", {"eu-west-1", "eu-central-1"}, 400},
    {"BR", {"sa-east-1", "us-east-1"}, 600},
    {"DE", {"eu-central-1", "eu-west-1"}, 400},
}};

constexpr std::int64_t kSecureTrunkingRateUnits = 100;  // 0.00100 per minute

// Who ended the call, relative to the call: resolved to a hangup_source by direction.
enum class Side { kCaller, kCallee, kCarrier, kCustomer, kZentrunk };

struct Hangup {
  int code;
  std::string_view name;  // as in zentrunk-hangup-codes.csv
  Side side;
  int weight;  // per mille
};

// Data tables (hangups, buckets): their rows are alike by nature.
constexpr std::array<Hangup, 6> kAnsweredHangups = {{
    {3000, "normal_hangup", Side::kCallee, 550},
    {3010, "normal_hangup", Side::kCaller, 380},
    {3020, "rtp_timeout", Side::kZentrunk, 20},
    {5220, "service_interrupted_by_customer", Side::kCustomer, 20},
    {5240, "service_interrupted_by_nomedia", Side::kZentrunk, 15},
    {5310, "service_interrupted_by_carrier_4xx", Side::kCarrier, 15},
}};

constexpr std::array<Hangup, 11> kUnansweredHangups = {{
    {4410, "user_busy", Side::kCallee, 280},
    {4550, "user_cancelled", Side::kCaller, 250},
    {4160, "request_timeout_carrier", Side::kCarrier, 100},
    {4170, "request_timeout_customer", Side::kCustomer, 40},
    {6040, "declined_from_carrier", Side::kCarrier, 80},
    {4080, "route_not_found", Side::kZentrunk, 50},
    {4090, "destination_not_found", Side::kCarrier, 50},
    {5000, "service_unavailable_no_more_destinations", Side::kZentrunk, 50},
    {5190, "concurrent_call_limit_exceeded", Side::kZentrunk, 40},
    {4570, "barred_number", Side::kZentrunk, 20},
    {6000, "busy_everywhere", Side::kCallee, 40},
}};

// Talk time buckets [lo, hi] seconds: many short calls, a long tail up to two hours.
struct Bucket {
  int lo, hi, weight;
};
constexpr std::array<Bucket, 7> kTalkBuckets = {{
    {1, 15, 200},
    {16, 60, 250},
    {61, 180, 250},
    {181, 600, 180},
    {601, 1800, 90},
    {1801, 3600, 25},
    {3601, 7200, 5},
}};

// Relative call volume by UTC hour (accept/reject weights out of 100).
constexpr std::array<int, 24> kHourWeight = {30,  25, 20, 20, 25, 35, 50, 65, 80, 90, 95, 100,
                                             100, 95, 95, 90, 85, 80, 70, 60, 50, 45, 40, 35};

// ---- accounts --------------------------------------------------------------------------------

struct Trunk {
  std::string trunk_id, trunk_domain, region;
  std::string_view transport;
  bool secure = false, srtp = false;
  bool from_cdrd = false;  // a real trunk: its domain and secure flag come from cdrd
};

struct Account {
  std::string auth_id;
  const Home* home = nullptr;
  std::vector<Trunk> outbound_trunks, inbound_trunks;
  std::vector<std::string> numbers;  // the account's own numbers: caller IDs and DIDs
};

void append_digits(Rng& rng, std::string& out, int n) {
  for (int i = 0; i < n; ++i) out.push_back(static_cast<char>('0' + rng.below(10)));
}

std::string make_number(Rng& rng, const NumberPlan& plan) {
  std::string n(plan.prefix);
  if (!plan.first.empty()) n.push_back(plan.first[rng.below(plan.first.size())]);
  append_digits(rng, n, plan.rest);
  return n;
}

std::size_t pick_plan(Rng& rng) {
  return rng.weighted(std::span<const NumberPlan>(kPlans),
                      [](const NumberPlan& p) { return p.weight; });
}

std::size_t pick_plan_in(Rng& rng, std::string_view country) {
  return rng.weighted(std::span<const NumberPlan>(kPlans), [country](const NumberPlan& p) {
    return p.country == country ? p.weight : 0;
  });
}

const NumberPlan* plan_of(std::string_view number) {
  const NumberPlan* best = nullptr;
  for (const NumberPlan& p : kPlans) {
    if (number.starts_with(p.prefix) && (!best || p.prefix.size() > best->prefix.size())) {
      best = &p;
    }
  }
  return best;
}

Trunk make_trunk(Rng& rng, const Home& home) {
  Trunk t;
  t.trunk_id.push_back(static_cast<char>('1' + rng.below(9)));
  append_digits(rng, t.trunk_id, 16);
  t.trunk_domain = t.trunk_id + ".zt.example.net";
  t.region = std::string(home.regions[rng.chance(800) ? 0 : 1]);
  t.secure = rng.chance(200);
  if (t.secure) {
    t.transport = "tls";
    t.srtp = rng.chance(800);
  } else {
    t.transport = rng.chance(750) ? "udp" : "tcp";
  }
  return t;
}

// The given trunks, each with the region and transport of a made-up one (so the account's other
// draws stay as they are).
std::vector<Trunk> adopt(const std::vector<SampleTrunk>& given, const std::vector<Trunk>& made) {
  std::vector<Trunk> out;
  for (std::size_t i = 0; i < given.size(); ++i) {
    Trunk t = made[i % made.size()];
    t.trunk_id = given[i].trunk_id;
    t.trunk_domain.clear();
    t.from_cdrd = true;
    t.secure = given[i].secure;
    if (t.secure) {
      t.transport = "tls";
    } else if (t.transport == "tls") {
      t.transport = "udp";
      t.srtp = false;
    }
    out.push_back(std::move(t));
  }
  return out;
}

Result<Account> make_account(const std::string& auth_id, std::string_view seed_name,
                             const AccountTrunks* given) {
  if (given != nullptr && (given->outbound.empty() || given->inbound.empty())) {
    return Status::Invalid("sample calls: account " + auth_id +
                           " needs at least one outbound and one inbound trunk");
  }
  Rng rng(splitmix64(fnv1a(seed_name)));
  Account a;
  a.auth_id = auth_id;
  a.home = &kHomes[rng.below(kHomes.size())];
  const auto n_out = rng.between(1, 3), n_in = rng.between(1, 2);
  for (std::int64_t i = 0; i < n_out; ++i) a.outbound_trunks.push_back(make_trunk(rng, *a.home));
  for (std::int64_t i = 0; i < n_in; ++i) a.inbound_trunks.push_back(make_trunk(rng, *a.home));
  if (given != nullptr) {
    a.outbound_trunks = adopt(given->outbound, a.outbound_trunks);
    a.inbound_trunks = adopt(given->inbound, a.inbound_trunks);
  }
  const auto n_numbers = rng.between(3, 8);
  for (std::int64_t i = 0; i < n_numbers; ++i) {
    a.numbers.push_back(make_number(rng, kPlans[pick_plan_in(rng, a.home->country)]));
  }
  return a;
}

// ---- records ---------------------------------------------------------------------------------

void append_hex(std::string& out, std::uint64_t v, int nibbles) {
  static constexpr char kHex[] = "0123456789abcdef";
  for (int i = nibbles - 1; i >= 0; --i) out.push_back(kHex[(v >> (4 * i)) & 0xf]);
}

std::string make_uuid(Rng& rng) {
  std::uint64_t hi = rng.next(), lo = rng.next();
  hi = (hi & ~0xf000ULL) | 0x4000ULL;            // version 4
  lo = (lo & ~(0xcULL << 60)) | (0x8ULL << 60);  // variant 10xx
  std::string s;
  s.reserve(36);
  append_hex(s, hi >> 32, 8);
  s.push_back('-');
  append_hex(s, (hi >> 16) & 0xffff, 4);
  s.push_back('-');
  append_hex(s, hi & 0xffff, 4);
  s.push_back('-');
  append_hex(s, lo >> 48, 4);
  s.push_back('-');
  append_hex(s, lo & 0xffffffffffffULL, 12);
  return s;
}

void append_int(std::string& out, std::int64_t v) {
  char buf[24];
  const auto r = std::to_chars(buf, buf + sizeof buf, v);
  out.append(buf, r.ptr);
}

// `n` decimal digits of v >= 0, zero-padded.
void append_padded(std::string& out, std::int64_t v, int n) {
  char buf[20];
  for (int i = n - 1; i >= 0; --i, v /= 10) buf[i] = static_cast<char>('0' + v % 10);
  out.append(buf, static_cast<std::size_t>(n));
}

// "YYYY-MM-DD HH:MM:SS" of a whole second (the format of format_timestamp, without printf).
void append_time(std::string& out, std::int64_t secs) {
  const std::int64_t days = floor_div(secs, 86400), sod = secs - days * 86400;
  int y;
  unsigned m, d;
  civil_from_days(days, y, m, d);
  append_padded(out, y, 4);
  out.push_back('-');
  append_padded(out, m, 2);
  out.push_back('-');
  append_padded(out, d, 2);
  out.push_back(' ');
  append_padded(out, sod / 3600, 2);
  out.push_back(':');
  append_padded(out, sod / 60 % 60, 2);
  out.push_back(':');
  append_padded(out, sod % 60, 2);
}

// Money units >= 0 with 5 decimals, as Money::to_fixed5.
void append_money(std::string& out, std::int64_t units) {
  append_int(out, units / Money::kScale);
  out.push_back('.');
  append_padded(out, units % Money::kScale, 5);
}

void time_field(JsonWriter& w, std::string_view k, std::int64_t secs) {
  std::string text;
  append_time(text, secs);
  w.string_member(k, text);
}

// A record's line written straight into the output: the bytes JsonWriter gives for the same
// members (compact, every name a fixed ASCII word), without a writer and its buffer per record.
// A value that is printable ASCII without '"' or '\\' (every value the generator makes; an
// account id may be anything) is copied as it is, which is what the writer writes for it; any
// other goes through JsonWriter's escaping.
class RecordLine {
 public:
  explicit RecordLine(std::string& out) : out_(out) { out_.push_back('{'); }
  void string_member(std::string_view k, std::string_view v) {
    name(k);
    if (std::all_of(v.begin(), v.end(),
                    [](char c) { return c >= 0x20 && c < 0x7f && c != '"' && c != '\\'; })) {
      out_.push_back('"');
      out_ += v;
      out_.push_back('"');
    } else {
      JsonWriter w;
      w.string_value(v);
      out_ += w.view();
    }
  }
  void int_member(std::string_view k, std::int64_t v) {
    name(k);
    append_int(out_, v);
  }
  void bool_member(std::string_view k, bool v) {
    name(k);
    out_ += v ? "true" : "false";
  }
  void time_member(std::string_view k, std::int64_t secs) {
    name(k);
    out_.push_back('"');
    append_time(out_, secs);
    out_.push_back('"');
  }
  void money_member(std::string_view k, std::int64_t units) {
    name(k);
    out_.push_back('"');
    append_money(out_, units);
    out_.push_back('"');
  }
  // The members of a whole object `{...}` written by a JsonWriter, as members of this one.
  void members_of(std::string_view object) {
    if (object.size() <= 2) return;
    out_.push_back(',');
    out_ += object.substr(1, object.size() - 2);
  }
  void end() {
    out_.push_back('}');
    out_.push_back('\n');
  }

 private:
  void name(std::string_view k) {
    if (!first_) out_.push_back(',');
    first_ = false;
    out_.push_back('"');
    out_ += k;
    out_ += "\":";
  }
  std::string& out_;
  bool first_ = true;
};

// A switch like the other enum-to-text ones: the compiler checks every side is handled.
std::string_view source_name(Side side, bool outbound) {
  switch (side) {
    case Side::kCaller:
      return outbound ? "customer" : "carrier";
    case Side::kCallee:
      return outbound ? "carrier" : "customer";
    case Side::kCarrier:
      return "carrier";
    case Side::kCustomer:
      return "customer";
    case Side::kZentrunk:
      return "zentrunk";
  }
  return "zentrunk";
}

std::int64_t ceil_div(std::int64_t a, std::int64_t b) { return floor_div(a + b - 1, b); }

// ---- cloud-PBX fields and quality metrics (SampleOptions::pbx_detail) --------------------------

// Salt of the generator the detail fields draw from (so the other fields keep their bytes).
constexpr std::uint64_t kDetailSalt = 0x70627864657461ULL;

// What a call's SIP-trunk fields already say, for the detail fields to agree with.
struct CallFacts {
  bool outbound, answered;
  const Hangup& hangup;
  std::int64_t init_s, answer_s, end_s, talk_s, ring_s;
  const std::string &from, &to;
  const NumberPlan *from_plan, *to_plan;
};

// Who ended the call, in the cloud-PBX words: the caller or the callee hung up (answered) or
// gave up / refused (unanswered); anything else was ended inside the network.
std::string_view disposition_of(const Hangup& h, bool answered) {
  switch (h.side) {
    case Side::kCaller:
      return answered ? "caller_bye" : "caller_cancel";
    case Side::kCallee:
      return answered ? "callee_bye" : "callee_refuse";
    case Side::kCarrier:
    case Side::kCustomer:
    case Side::kZentrunk:
      return "internal_cancel";
  }
  return "internal_cancel";
}

// The PBX `result` of an unanswered call, by its Q.850 cause.
std::string_view unanswered_result(std::string_view q850) {
  if (q850 == "USER_BUSY") return "busy";
  if (q850 == "NO_ANSWER" || q850 == "NO_USER_RESPONSE" || q850 == "ORIGINATOR_CANCEL") {
    return "not answered";
  }
  if (q850 == "CALL_REJECTED" || q850 == "OUTGOING_CALL_BARRED") return "rejected";
  return "failed";
}

// The demo PBX's extensions (every account has the same ones).
struct Extension {
  std::int64_t id;
  std::string_view username, person, type;
};
constexpr std::array<Extension, 5> kExtensions = {{
    {469101, "101", "Alice Martin", "phone"},
    {469102, "102", "Bruno Costa", "phone"},
    {469103, "103", "Chen Wei", "phone"},
    {469104, "104", "Divya Rao", "phone"},
    {469110, "110", "Sales queue", "queue"},
}};
constexpr std::string_view kPbxDomain = "pbx.demo.example";

// The region and the carrier of the numbers of each block of kPlans, by prefix.
struct Place {
  std::string_view prefix, region, carrier;
};
constexpr std::array<Place, 19> kPlaces = {{
    {"+9198", "Maharashtra", "Indus Mobile"},      {"+9199", "Delhi", "Indus Mobile"},
    {"+9122", "Mumbai", "Bharat Telecom"},         {"+9180", "Bengaluru", "Bharat Telecom"},
    {"+1212", "New York", "Hudson Telecom"},       {"+1310", "California", "Pacific Telecom"},
    {"+1415", "California", "Pacific Telecom"},    {"+1646", "New York", "Liberty Wireless"},
    {"+1312", "Illinois", "Lakeshore Telecom"},    {"+4420", "London", "Thames Telecom"},
    {"+44771", "United Kingdom", "Albion Mobile"}, {"+55219", "Rio de Janeiro", "Carioca Movel"},
    {"+55119", "Sao Paulo", "Paulista Movel"},     {"+55113", "Sao Paulo", "Paulista Telecom"},
    {"+4930", "Berlin", "Spree Telekom"},          {"+49151", "Germany", "Rhein Mobilfunk"},
    {"+7495", "Moscow", "Neva Telecom"},           {"+7916", "Moscow", "Volga Mobile"},
    {"+7903", "Russia", "Volga Mobile"},
}};

const Place* place_of(const NumberPlan* plan) {
  if (plan == nullptr) return nullptr;
  for (const Place& p : kPlaces) {
    if (p.prefix == plan->prefix) return &p;
  }
  return nullptr;
}

// v / 10^decimals as a JSON number token ("12.5", "0.25").
std::string decimal_text(std::int64_t v, int decimals) {
  std::string out;
  std::int64_t scale = 1;
  for (int i = 0; i < decimals; ++i) scale *= 10;
  append_int(out, v / scale);
  out.push_back('.');
  append_padded(out, v % scale, decimals);
  return out;
}

void raw_number_member(JsonWriter& w, std::string_view k, const std::string& number) {
  w.key(k);
  w.raw_number(number);
}

// "469101-5D36E5557F1845FEB577EDE8A19C5108": the provider's form of a recording's id.
std::string record_uuid(Rng& rng, std::int64_t extension_id) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out;
  append_int(out, extension_id);
  out.push_back('-');
  for (int i = 0; i < 2; ++i) {
    const std::uint64_t v = rng.next();
    for (int n = 15; n >= 0; --n) out.push_back(kHex[(v >> (4 * n)) & 0xf]);
  }
  return out;
}

// One `legs` element.
struct Leg {
  std::string_view flow, result, q850, disposition;
  std::string from_username, from_domain, to_username, to_domain, did_number;
  const Extension* extension = nullptr;
  std::int64_t init_s = 0, end_s = 0;
  std::int64_t start_s = -1;  // -1: never answered
  bool recorded = false;
};

void append_leg(JsonWriter& w, Rng& rng, const Leg& leg) {
  w.start_object();
  w.string_member("flow", leg.flow);
  w.string_member("result", leg.result);
  w.string_member("from_username", leg.from_username);
  if (!leg.from_domain.empty()) w.string_member("from_domain", leg.from_domain);
  w.string_member("to_username", leg.to_username);
  if (!leg.to_domain.empty()) w.string_member("to_domain", leg.to_domain);
  if (!leg.did_number.empty()) w.string_member("did_number", leg.did_number);
  w.int_member("extension_id", leg.extension->id);
  w.string_member("extension_name", leg.extension->username);
  w.string_member("extension_type", leg.extension->type);
  time_field(w, "init_time", leg.init_s);
  if (leg.start_s >= 0) time_field(w, "start_time", leg.start_s);
  time_field(w, "hangup_time", leg.end_s);
  w.int_member("duration", leg.start_s >= 0 ? leg.end_s - leg.start_s : 0);
  w.string_member("hangup_cause", leg.q850);
  w.string_member("hangup_disposition", leg.disposition);
  if (leg.recorded) {
    w.string_member("record_uuid", record_uuid(rng, leg.extension->id));
    // 16 kB a second: a 128 kbit/s recording of the talk time.
    w.int_member("record_file_size", (leg.end_s - leg.start_s) * 16000);
  }
  w.end_object();
}

// The cloud-PBX fields and quality metrics of one call (SampleOptions::pbx_detail).
void append_pbx_detail(JsonWriter& w, Rng rng, const CallFacts& c) {
  const std::string_view q850 = q850_name_of_hangup_code(c.hangup.code);
  const std::string_view disposition = disposition_of(c.hangup, c.answered);
  const std::string_view result =
      c.answered ? (c.outbound ? "bridged" : "answered") : unanswered_result(q850);
  // Inbound calls ring the sales queue (two phones at once) or one phone; outbound calls come
  // from a phone.
  const bool queue = !c.outbound && rng.chance(400);
  const std::uint64_t phone_index = rng.below(4);
  const Extension& phone = kExtensions[phone_index];
  const Extension& other = kExtensions[(phone_index + 1 + rng.below(3)) % 4];
  const Extension& shown = queue ? kExtensions[4] : phone;

  w.string_member("result", result);
  w.string_member("q850_cause", q850);
  w.string_member("hangup_disposition", disposition);
  w.int_member("extension_id", shown.id);
  w.string_member("extension_name", shown.username);
  w.string_member("extension_type", shown.type);
  if (c.outbound) {
    w.string_member("from_screen_name", phone.person);
    if (c.answered) {
      w.string_member("bridged_username", c.to);
      time_field(w, "bridged_time", c.answer_s);
      w.int_member("bridged_duration", c.talk_s);
    }
  } else {
    w.string_member("did_number", c.to);
  }

  w.key("legs");
  w.start_array();
  Leg leg;
  leg.flow = c.outbound ? "out" : "in";
  leg.init_s = c.init_s;
  leg.end_s = c.end_s;
  leg.q850 = q850;
  leg.disposition = disposition;
  leg.extension = &phone;
  if (c.outbound) {
    leg.from_username = std::string(phone.username);
    leg.from_domain = std::string(kPbxDomain);
    leg.to_username = c.to;
  } else {
    leg.from_username = c.from;
    leg.to_username = std::string(phone.username);
    leg.to_domain = std::string(kPbxDomain);
    leg.did_number = c.to;
  }
  if (c.answered) {
    leg.result = "answered";
    leg.start_s = c.answer_s;
    leg.recorded = rng.chance(600);
  } else {
    leg.result = result;
  }
  if (queue && c.answered) {
    // The queue rang two phones; the other one stopped ringing when this one answered.
    Leg lost = leg;
    lost.extension = &other;
    lost.to_username = std::string(other.username);
    lost.result = "answered elsewhere";
    lost.q850 = "NON_SELECTED_USER_CLEARING";
    lost.disposition = "internal_cancel";
    lost.end_s = c.answer_s;
    lost.start_s = -1;
    lost.recorded = false;
    append_leg(w, rng, lost);
  }
  append_leg(w, rng, leg);
  w.end_array();

  // Quality: the media metrics of answered calls (one in 50 a poor line), the post-dial delay of
  // every call, the carriers and regions of both numbers.
  if (c.answered) {
    const bool poor = rng.chance(20);
    raw_number_member(w, "rtt_ms",
                      decimal_text(poor ? rng.between(4000, 8000) : rng.between(200, 1800), 1));
    raw_number_member(w, "jitter_ms",
                      decimal_text(poor ? rng.between(400, 900) : rng.between(5, 300), 1));
    raw_number_member(w, "packet_loss_pct",
                      decimal_text(poor              ? rng.between(300, 800)
                                   : rng.chance(100) ? rng.between(100, 300)
                                                     : rng.between(0, 80),
                                   2));
  }
  w.int_member("post_dial_delay_ms", rng.between(800, 4500));
  if (const Place* p = place_of(c.from_plan)) {
    w.string_member("caller_carrier", p->carrier);
    w.string_member("from_region", p->region);
  }
  if (const Place* p = place_of(c.to_plan)) {
    w.string_member("callee_carrier", p->carrier);
    w.string_member("to_region", p->region);
  }
}

void append_record(const SampleOptions& o, const std::vector<Account>& accounts,
                   std::int64_t first_s, std::int64_t count_s, std::int64_t index,
                   std::string& out) {
  Rng rng(splitmix64(splitmix64(o.seed) ^ static_cast<std::uint64_t>(index)));
  const std::size_t n = accounts.size();
  const std::uint64_t pick = o.first_account_percent <= 0 || n < 2 ? rng.below(n)
                             : rng.below(100) < static_cast<std::uint64_t>(o.first_account_percent)
                                 ? 0
                                 : 1 + rng.below(n - 1);
  const Account& acc = accounts[pick];
  const std::string uuid = make_uuid(rng);

  // End time: uniform second in range, thinned by the hour of day.
  std::int64_t end_s = 0;
  for (;;) {
    end_s = first_s + static_cast<std::int64_t>(rng.below(static_cast<std::uint64_t>(count_s)));
    const auto hour = (floor_div(end_s, 3600) % 24 + 24) % 24;
    if (rng.below(100) < static_cast<std::uint64_t>(kHourWeight[hour])) break;
  }

  const bool outbound = rng.chance(650);
  const bool answered = rng.chance(750);
  const Trunk& trunk = rng.pick(outbound ? acc.outbound_trunks : acc.inbound_trunks);
  const std::string own = rng.pick(acc.numbers);
  const NumberPlan& remote_plan = kPlans[pick_plan(rng)];
  const std::string remote = make_number(rng, remote_plan);
  const std::string& from = outbound ? own : remote;
  const std::string& to = outbound ? remote : own;
  const NumberPlan* from_plan = plan_of(from);
  const NumberPlan* to_plan = plan_of(to);

  std::int64_t talk_s = 0, ring_s = 0;
  const Hangup* hangup = nullptr;
  if (answered) {
    const auto& b = kTalkBuckets[rng.weighted(std::span<const Bucket>(kTalkBuckets),
                                              [](const Bucket& x) { return x.weight; })];
    talk_s = rng.between(b.lo, b.hi);
    ring_s = rng.between(1, 8) + (rng.chance(300) ? rng.between(0, 15) : 0);
    hangup = &kAnsweredHangups[rng.weighted(std::span<const Hangup>(kAnsweredHangups),
                                            [](const Hangup& h) { return h.weight; })];
  } else {
    hangup = &kUnansweredHangups[rng.weighted(std::span<const Hangup>(kUnansweredHangups),
                                              [](const Hangup& h) { return h.weight; })];
    ring_s = hangup->side == Side::kZentrunk ? rng.between(0, 2) : rng.between(2, 45);
  }
  const std::int64_t answer_s = end_s - talk_s;
  const std::int64_t init_s = answer_s - ring_s;

  // Billing by the destination (outbound) or the account's number (inbound).
  const std::int64_t rate_units = outbound ? remote_plan.rate_units : acc.home->inbound_rate_units;
  const int increment = outbound ? remote_plan.increment_s : 60;
  const std::int64_t bill_s = ceil_div(talk_s, increment) * increment;
  const std::int64_t secure_units = trunk.secure ? kSecureTrunkingRateUnits : 0;
  const std::int64_t amount_units = ((rate_units + secure_units) * bill_s + 30) / 60;

  // STIR/SHAKEN applies when a US number is involved.
  std::string_view stir = "Not Applicable", attestation;
  if (from.starts_with("+1") || to.starts_with("+1")) {
    const auto x = rng.below(100);
    stir = x < 65 ? "Verified" : "Not Verified";
    attestation = x < 65 ? "A" : x < 85 ? "B" : "C";
  }

  std::string call_id;
  append_hex(call_id, rng.next(), 16);
  append_hex(call_id, rng.next(), 16);
  call_id += "@10.";
  append_int(call_id, static_cast<std::int64_t>(rng.below(256)));
  call_id.push_back('.');
  append_int(call_id, static_cast<std::int64_t>(rng.below(256)));
  call_id.push_back('.');
  append_int(call_id, rng.between(1, 254));

  RecordLine w(out);
  w.string_member("account", acc.auth_id);
  w.string_member("call_uuid", uuid);
  w.string_member("call_direction", outbound ? "outbound" : "inbound");
  w.string_member("from_number", from);
  w.string_member("to_number", to);
  w.time_member("initiation_time", init_s);
  if (answered) w.time_member("answer_time", answer_s);
  w.time_member("end_time", end_s);
  if (answered) w.int_member("duration", talk_s);
  w.int_member("bill_duration", bill_s);
  w.int_member("hangup_cause_code", hangup->code);
  w.string_member("hangup_cause_name", hangup->name);
  w.string_member("hangup_source", source_name(hangup->side, outbound));
  w.string_member("trunk_id", trunk.trunk_id);
  if (!trunk.from_cdrd) w.string_member("trunk_domain", trunk.trunk_domain);
  w.string_member("region", trunk.region);
  w.string_member("transport_protocol", trunk.transport);
  w.bool_member("srtp", trunk.srtp);
  if (!trunk.from_cdrd) w.bool_member("secure_trunking", trunk.secure);
  w.money_member("rate", rate_units);
  w.money_member("secure_trunking_rate", secure_units);
  w.money_member("total_amount", amount_units);
  if (from_plan) w.string_member("from_country", from_plan->country);
  if (to_plan) w.string_member("to_country", to_plan->country);
  w.string_member("stir_verification", stir);
  if (!attestation.empty()) w.string_member("attestation_indicator", attestation);
  w.string_member("call_id", call_id);
  if (o.pbx_detail) {
    const CallFacts facts{outbound, answered, *hangup, init_s, answer_s,  end_s,
                          talk_s,   ring_s,   from,    to,     from_plan, to_plan};
    JsonWriter detail;
    detail.start_object();
    append_pbx_detail(
        detail,
        Rng(splitmix64(splitmix64(o.seed ^ kDetailSalt) ^ static_cast<std::uint64_t>(index))),
        facts);
    detail.end_object();
    w.members_of(detail.view());
  }
  w.end();
}

}  // namespace

Status append_sample_calls(const SampleOptions& options, std::int64_t first_index, std::int64_t n,
                           std::string& out) {
  if (n <= 0) return Status::Ok();
  if (options.auth_ids.empty()) return Status::Invalid("sample calls: no accounts");
  if (options.first_account_percent < 0 || options.first_account_percent > 100) {
    return Status::Invalid("sample calls: first_account_percent must be 0 to 100");
  }
  // Whole seconds s with s * 1e6 in [end_from, end_until).
  const std::int64_t first_s = ceil_div(options.end_from, kMicrosPerSecond);
  const std::int64_t last_s = ceil_div(options.end_until, kMicrosPerSecond) - 1;
  if (last_s < first_s) return Status::Invalid("sample calls: empty end_time range");

  std::vector<Account> accounts;
  accounts.reserve(options.auth_ids.size());
  for (const auto& id : options.auth_ids) {
    const auto given = options.trunks.find(id);
    const auto seed = options.account_seeds.find(id);
    ASSIGN_OR_RETURN(Account account,
                     make_account(id, seed == options.account_seeds.end() ? id : seed->second,
                                  given == options.trunks.end() ? nullptr : &given->second));
    accounts.push_back(std::move(account));
  }
  for (std::int64_t i = 0; i < n; ++i) {
    append_record(options, accounts, first_s, last_s - first_s + 1, first_index + i, out);
  }
  return Status::Ok();
}

Result<std::vector<std::string>> make_sample_batches(const SampleOptions& options,
                                                     std::int64_t calls, std::int64_t batch,
                                                     int threads) {
  if (calls <= 0 || batch <= 0) {
    return Status::Invalid("sample calls: calls and batch must be positive");
  }
  const std::int64_t batches = (calls - 1) / batch + 1;
  std::vector<std::string> bodies(static_cast<std::size_t>(batches));
  std::atomic<std::int64_t> next{0};
  std::mutex mu;
  Status failed;  // the first failure (guarded by mu)
  const auto work = [&] {
    for (std::int64_t b = next.fetch_add(1); b < batches; b = next.fetch_add(1)) {
      const std::int64_t first = b * batch;
      Status s = append_sample_calls(options, first, std::min(batch, calls - first),
                                     bodies[static_cast<std::size_t>(b)]);
      if (!s.ok()) {
        const std::lock_guard lock(mu);
        if (failed.ok()) failed = std::move(s);
        next = batches;  // the others stop at their next body
        return;
      }
    }
  };
  std::vector<std::thread> workers;
  for (int t = 1; t < std::min<std::int64_t>(std::max(threads, 1), batches); ++t) {
    workers.emplace_back(work);
  }
  work();
  for (std::thread& t : workers) t.join();
  if (!failed.ok()) return failed;
  return bodies;
}

}  // namespace cdrd::sample
