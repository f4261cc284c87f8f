#include "service/ingest/ingest.h"

#include <algorithm>
#include <array>
#include <charconv>
#include <memory>
#include <optional>
#include <unordered_map>
#include <utility>

#include "core/ascii.h"
#include "core/csv.h"
#include "core/stage_times.h"
#include "core/time.h"
#include "service/ingest/raw_record.h"
#include "service/ingest/trunk_link.h"
#include "service/ingest/validate.h"

namespace cdrd::service::ingest {
namespace {

// Records per insert_calls call, i.e. per transaction.
constexpr std::size_t kChunkSize = 10'000;
// A chunk made for at least this many records starts from spent ones (Batch::next_record).
constexpr std::size_t kRecycleFrom = 256;

// `r` made equal to a default CallRecord, each of its strings keeping its room: what
// `r = CallRecord()` copied from one default record gives, at a clear() per string where that
// assignment costs a call per string (about 600 instructions a record). The members that are not
// strings take a default record's values, so each default stays written once, in call_record.h.
// spent_records_test.cpp compares the records written into spent ones, every member of them
// dirty, with those written into new ones.
void reset_record(CallRecord& r) {
  // A member added to CallRecord or CallQuality stops the build here until it is reset below.
  static_assert(sizeof(CallRecord) == 1280 && sizeof(CallQuality) == 192,
                "reset every member of CallRecord in reset_record");
  static const CallRecord kFresh;
  r.account_id = kFresh.account_id;
  r.direction = kFresh.direction;
  r.initiation_time = kFresh.initiation_time;
  r.answer_time = kFresh.answer_time;
  r.end_time = kFresh.end_time;
  r.duration_s = kFresh.duration_s;
  r.bill_duration_s = kFresh.bill_duration_s;
  r.hangup_cause_code = kFresh.hangup_cause_code;
  r.hangup_source = kFresh.hangup_source;
  r.transport = kFresh.transport;
  r.srtp = kFresh.srtp;
  r.secure_trunking = kFresh.secure_trunking;
  r.rate = kFresh.rate;
  r.secure_trunking_rate = kFresh.secure_trunking_rate;
  r.total_amount = kFresh.total_amount;
  r.rating = kFresh.rating;
  r.stir_verification = kFresh.stir_verification;
  r.attestation = kFresh.attestation;
  r.cnam_lookup = kFresh.cnam_lookup;
  r.cnam_lookup_rate = kFresh.cnam_lookup_rate;
  r.bridged_time = kFresh.bridged_time;
  r.bridged_duration_s = kFresh.bridged_duration_s;
  r.extension_id = kFresh.extension_id;
  r.extension_group_owner_id = kFresh.extension_group_owner_id;
  r.ext_number_reg.reset();
  r.quality_rate = kFresh.quality_rate;
  r.quality_max_rate = kFresh.quality_max_rate;
  r.legs.clear();
  r.quality.rtt_ms = kFresh.quality.rtt_ms;
  r.quality.jitter_ms = kFresh.quality.jitter_ms;
  r.quality.packet_loss_pct = kFresh.quality.packet_loss_pct;
  r.quality.post_dial_delay_ms = kFresh.quality.post_dial_delay_ms;
  // Every string member. spent_records_test.cpp's dirty_record lists them too, on purpose: on
  // its own, so that it checks this list rather than share it.
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
    s->clear();
  }
}

std::string_view strip_bom(std::string_view text) {
  if (text.substr(0, 3) == "\xEF\xBB\xBF") text.remove_prefix(3);
  return text;
}

// Validates records one by one and stores the valid ones in chunks; remembers line errors.
class Batch {
 public:
  Batch(AccountStore& accounts, CallStore& calls, TrunkStore& trunks, RatingService& rating,
        std::int64_t retention_days, Micros retention_floor)
      : accounts_(accounts),
        calls_(calls),
        trunks_(trunks),
        rating_(rating),
        retention_days_(retention_days),
        retention_floor_(retention_floor) {}

  // A record (or the reason it could not be read) from `line`. Fails only on storage errors.
  Status add(const Result<RawRecord>& raw, std::int64_t line) {
    if (!raw.ok()) {
      result_.add_failure(line, raw.status().message(), FailureReason::kMalformed);
      return Status::Ok();
    }
    return add_record(*raw, line);
  }
  // A flat NDJSON line read in place (raw_record.h), from `line`: as add() of the RawRecord
  // parse_ndjson_line would make of it.
  Status add(const FlatRecord& raw, std::int64_t line) { return add_record(raw, line); }

  // How many records a chunk is made for: `lines` expected in all, at most kChunkSize. A batch
  // of a few lines then keeps a few records' room, not kChunkSize.
  void expect(std::size_t lines) {
    chunk_capacity_ = std::min(std::max<std::size_t>(lines, 1), kChunkSize);
  }

  void fail(std::int64_t line, std::string error) {
    result_.add_failure(line, std::move(error), FailureReason::kMalformed);
  }

  // Hands what is pending to the store (one transaction, or one batch of a group commit).
  Status flush() {
    if (used_ == 0) return Status::Ok();
    // A synchronous store writes here; the group-commit writer times its commits itself
    // (stages::add_ingest_store_ns).
    stages::IngestTimer storing(tally_, stages::IngestStage::kStore);
    pending_.resize(used_);  // the spent records not written into are freed
    std::vector<RatingState> rating;
    rating.reserve(pending_.size());
    for (const CallRecord& r : pending_) rating.push_back(r.rating);
    chunks_.push_back(
        PendingBatch::Chunk{calls_.insert_calls_async(std::move(pending_)), std::move(rating)});
    pending_ = std::vector<CallRecord>();
    used_ = 0;
    return Status::Ok();
  }

  std::vector<PendingBatch::Chunk> take_chunks() { return std::move(chunks_); }
  BatchResult take() { return std::move(result_); }

  // A record begins (core/stage_times.h), before parse() and add().
  void begin_record() { tally_.begin_record(); }
  // A record read by `read` (timed as the parse stage).
  template <typename Parse>
  auto parse(Parse&& read) {
    stages::IngestTimer parsing(tally_, stages::IngestStage::kParse);
    return read();
  }

 private:
  // add() of a record read (a RawRecord or a FlatRecord).
  template <class Record>
  Status add_record(const Record& raw, std::int64_t line) {
    unknown_account_ = false;
    stages::IngestTimer validating(tally_, stages::IngestStage::kValidate);
    // Validated straight into the next pending record, which is dropped again if the line fails.
    CallRecord& record = next_record();
    Status status = validate_record_into(raw, resolver_, country_resolver_, record);
    if (!store_error_.ok()) return drop_last(store_error_);
    FailureReason reason =
        unknown_account_ ? FailureReason::kUnknownAccount : FailureReason::kInvalid;
    if (status.ok() && !record.trunk_id.empty()) {
      // As link_trunk(record, raw, resolver), reading the batch's cached facts in place.
      Result<const std::optional<TrunkFacts>*> trunk =
          cached_trunk(record.account_id, record.trunk_id);
      if (!trunk.ok()) return drop_last(trunk.status());
      Status linked = link_known_trunk(record, raw, **trunk);
      if (!linked.ok()) {
        status = std::move(linked);
        reason = FailureReason::kUnknownTrunk;
      }
    }
    if (status.ok() && record.end_time < retention_floor_) {
      reason = FailureReason::kPastRetention;
      // It would never be served and the retention sweep would delete it: refuse it instead.
      status = Status::Invalid("end_time: " + format_timestamp(record.end_time) + " is past the " +
                               std::to_string(retention_days_) + "-day retention");
    }
    if (!status.ok()) {
      result_.add_failure(line, status.message(), reason);
      return drop_last(Status::Ok());
    }
    validating.stop();
    std::string refused;
    stages::IngestTimer rating_time(tally_, stages::IngestStage::kRate);
    if (Status s = rate(record, refused); !s.ok()) return drop_last(std::move(s));
    rating_time.stop();
    if (!refused.empty()) {  // an amount out of range: this line fails, nothing is stored for it
      result_.add_failure(line, std::move(refused), FailureReason::kUnrateable);
      return drop_last(Status::Ok());
    }
    return used_ >= kChunkSize ? flush() : Status::Ok();
  }

  // The record the next line is validated into, equal to a default CallRecord: a spent one
  // (CallStore::take_spent_records) reset to the default (reset_record), its strings keeping
  // their room, while there is one; else a new one at the end of pending_. A chunk made for many
  // records starts from the spent records of an answered one, if the store has them; a small one (a
  // switch endpoint's few records) never takes thousands it would free again.
  CallRecord& next_record() {
    if (used_ < pending_.size()) {
      // Each string is emptied in its own room, and no record is made and dropped per line.
      CallRecord& spent = pending_[used_++];
      reset_record(spent);
      return spent;
    }
    if (pending_.capacity() == 0) {
      if (chunk_capacity_ >= kRecycleFrom) pending_ = calls_.take_spent_records();
      if (used_ < pending_.size()) return next_record();
      pending_.reserve(chunk_capacity_);
    }
    ++used_;
    return pending_.emplace_back();
  }

  // Drops the record add() was validating into (the last pending one), returning `s`: it stays
  // in pending_ as a spent record, for the next line.
  Status drop_last(Status s) {
    --used_;
    return s;
  }

  // Rates a valid record from its account's deck (docs/rating.md). Each account's rating is
  // fetched once per batch: the service's cache answers it after one version check. A failure
  // is a storage error (stop the batch); `refused` is set when the record's amount cannot be
  // represented (the record fails alone).
  Status rate(CallRecord& record, std::string& refused) {
    auto it = ratings_.find(record.account_id);
    if (it == ratings_.end()) {
      auto current = rating_.current(record.account_id);
      if (!current.ok()) return current.status();
      it = ratings_.emplace(record.account_id, std::move(current).value()).first;
    }
    Result<bool> rated = rate_record(*it->second, record);
    if (!rated.ok()) refused = rated.status().message();
    return Status::Ok();
  }

  // Account lookups by auth_id, cached for the batch (unknown ones too). The latest answer is
  // kept at hand as well: a batch's records mostly come from one account.
  Result<std::optional<std::int64_t>> resolve(std::string_view auth_id) {
    if (last_account_ != nullptr && last_account_->first == auth_id) {
      unknown_account_ = !last_account_->second;
      return last_account_->second;
    }
    key_.assign(auth_id);
    if (const auto it = cache_.find(key_); it != cache_.end()) {
      last_account_ = &*it;
      unknown_account_ = !it->second;
      return it->second;
    }
    Result<std::optional<Account>> found = accounts_.find_account_by_auth_id(auth_id);
    if (!found.ok()) {
      store_error_ = found.status();
      return store_error_;
    }
    std::optional<std::int64_t> id;
    if (*found) {
      id = (*found)->id;
      account_countries_[(*found)->id] = (*found)->default_country;
    }
    unknown_account_ = !id;
    last_account_ = &*cache_.emplace(std::string(auth_id), id).first;
    return id;
  }

  // The default country of a record's numbers: its trunk's, else its account's (resolved by
  // resolve() just before), cached for the batch.
  Result<std::string> default_country(std::int64_t account_id, std::string_view trunk_id) {
    if (!trunk_id.empty()) {
      Result<const std::optional<TrunkFacts>*> trunk = cached_trunk(account_id, trunk_id);
      if (!trunk.ok()) return trunk.status();
      if (**trunk && !(**trunk)->default_country.empty()) return (**trunk)->default_country;
    }
    const auto it = account_countries_.find(account_id);
    return it == account_countries_.end() ? std::string() : it->second;
  }

  // Trunk lookups by (account, trunk_id), cached for the batch (unknown ones too): the cached
  // entry itself, a node of trunk_cache_, which stays where it is for the batch.
  Result<const std::optional<TrunkFacts>*> cached_trunk(std::int64_t account_id,
                                                        std::string_view trunk_id) {
    // The latest answers first: a record asks for its trunk twice (its numbers' default country,
    // then its link), and a batch's records mostly name a few trunks, taken in turn (an
    // account's outbound and inbound ones).
    for (const RecentTrunk& recent : recent_trunks_) {
      if (recent.facts != nullptr && recent.account_id == account_id &&
          recent.trunk_id == trunk_id) {
        return recent.facts;
      }
    }
    // The key is made in a buffer kept for the batch: a cached trunk costs no allocation.
    key_.clear();
    char digits[24];
    const auto written = std::to_chars(digits, digits + sizeof digits, account_id);
    key_.append(digits, written.ptr);
    key_.push_back(' ');
    key_.append(trunk_id);
    if (const auto it = trunk_cache_.find(key_); it != trunk_cache_.end()) {
      return remember_trunk(account_id, trunk_id, &it->second);
    }
    std::optional<TrunkFacts> facts;
    Result<std::optional<Trunk>> found = trunks_.find_trunk(account_id, trunk_id);
    if (!found.ok()) {
      store_error_ = found.status();
      return store_error_;
    }
    if (*found) {
      facts = TrunkFacts{(*found)->trunk_domain, (*found)->secure, (*found)->default_country};
    }
    return remember_trunk(account_id, trunk_id,
                          &trunk_cache_.emplace(key_, std::move(facts)).first->second);
  }

  // Keeps `facts` (an entry of trunk_cache_: its node stays where it is) among the latest
  // answers, in place of the oldest.
  const std::optional<TrunkFacts>* remember_trunk(std::int64_t account_id,
                                                  std::string_view trunk_id,
                                                  const std::optional<TrunkFacts>* facts) {
    RecentTrunk& recent = recent_trunks_[next_recent_trunk_];
    next_recent_trunk_ = (next_recent_trunk_ + 1) % recent_trunks_.size();
    recent.account_id = account_id;
    recent.trunk_id.assign(trunk_id);
    recent.facts = facts;
    return facts;
  }

  AccountStore& accounts_;
  CallStore& calls_;
  TrunkStore& trunks_;
  RatingService& rating_;
  const std::int64_t retention_days_;
  const Micros retention_floor_;  // the first end_time still kept (IngestService::retention_floor)
  AccountResolver resolver_ = [this](std::string_view auth_id) { return resolve(auth_id); };
  DefaultCountryResolver country_resolver_ = [this](std::int64_t account_id,
                                                    std::string_view trunk_id) {
    return default_country(account_id, trunk_id);
  };
  std::unordered_map<std::string, std::optional<TrunkFacts>> trunk_cache_;
  std::unordered_map<std::string, std::optional<std::int64_t>> cache_;
  std::unordered_map<std::int64_t, std::string> account_countries_;  // of the accounts in cache_
  std::unordered_map<std::int64_t, std::shared_ptr<const AccountRating>> ratings_;
  std::string key_;  // the key of the latest cache look-up (resolve, resolve_trunk)
  // The latest answers of resolve() and cached_trunk(): entries of cache_ and trunk_cache_,
  // whose nodes stay where they are while the maps grow; null before the first.
  const std::pair<const std::string, std::optional<std::int64_t>>* last_account_ = nullptr;
  struct RecentTrunk {
    std::int64_t account_id = 0;
    std::string trunk_id;
    const std::optional<TrunkFacts>* facts = nullptr;  // null: not used yet
  };
  std::array<RecentTrunk, 8> recent_trunks_;
  std::size_t next_recent_trunk_ = 0;  // the slot remember_trunk() fills next
  Status store_error_;
  // The record being validated named an account that does not exist (set by resolve()).
  bool unknown_account_ = false;
  // The chunk being made: pending_[0, used_) are its records, validated; the rest are spent
  // records to write the next ones into (next_record()).
  std::vector<CallRecord> pending_;
  std::size_t used_ = 0;
  std::size_t chunk_capacity_ = kChunkSize;  // the room pending_ is given (expect())
  std::vector<PendingBatch::Chunk> chunks_;  // handed to the store, not yet answered
  BatchResult result_;
  stages::IngestTally tally_;  // the time of each stage (core/stage_times.h)
};

Status ingest_ndjson(Batch& batch, std::string_view text, std::int64_t first_line) {
  // The thread's flat record: its room is kept from line to line and batch to batch.
  thread_local FlatRecord flat;
  std::int64_t line = first_line;
  std::size_t pos = 0;
  while (true) {
    const std::size_t nl = text.find('\n', pos);
    std::string_view l = text.substr(pos, nl == std::string_view::npos ? nl : nl - pos);
    if (!l.empty() && l.back() == '\r') l.remove_suffix(1);
    if (!trim_blanks(l).empty()) {
      batch.begin_record();
      // The common flat line is read in place and validated from there; any other goes through
      // parse_ndjson_line, which decides it as always.
      if (batch.parse([&] { return read_flat_line(l, flat); })) {
        if (Status s = batch.add(flat, line); !s.ok()) return s;
      } else {
        const Result<RawRecord> raw = batch.parse([&] { return parse_ndjson_line(l); });
        if (Status s = batch.add(raw, line); !s.ok()) return s;
      }
    }
    if (nl == std::string_view::npos) break;
    pos = nl + 1;
    ++line;
  }
  return Status::Ok();
}

Status ingest_csv(Batch& batch, std::string_view text, std::int64_t first_line) {
  CsvReader reader(text, first_line);
  CsvRow row;
  if (!reader.next(row)) return Status::Ok();
  if (!row.error.empty()) {
    batch.fail(row.line, "CSV header: " + row.error);
    return Status::Ok();
  }
  // The header names the fields; a bad header makes every row unreadable, so it is the one error.
  std::vector<std::string> header;
  std::vector<std::string> problems;
  for (std::size_t i = 0; i < row.cells.size(); ++i) {
    const std::string name(trim_blanks(row.cells[i]));
    if (name.empty()) {
      problems.push_back("column " + std::to_string(i + 1) + " has no name");
    } else if (!is_known_field(name)) {
      problems.push_back(unknown_field_message(name));
    } else {
      for (const std::string& h : header) {
        if (h == name) problems.push_back(name + ": column given more than once");
      }
    }
    header.push_back(name);
  }
  if (!problems.empty()) {
    std::string message = "CSV header: ";
    for (std::size_t i = 0; i < problems.size(); ++i) message += (i ? "; " : "") + problems[i];
    batch.fail(row.line, message);
    return Status::Ok();
  }
  while (reader.next(row)) {
    if (!row.error.empty()) {
      batch.fail(row.line, row.error);
      continue;
    }
    batch.begin_record();
    const Result<RawRecord> raw = batch.parse([&] { return csv_row_to_record(header, row.cells); });
    if (Status s = batch.add(raw, row.line); !s.ok()) return s;
  }
  return Status::Ok();
}

}  // namespace

std::string_view to_string(FailureReason reason) {
  switch (reason) {
    case FailureReason::kMalformed:
      return "malformed";
    case FailureReason::kInvalid:
      return "invalid";
    case FailureReason::kUnknownAccount:
      return "unknown_account";
    case FailureReason::kUnknownTrunk:
      return "unknown_trunk";
    case FailureReason::kPastRetention:
      return "past_retention";
    case FailureReason::kUnrateable:
      return "unrateable";
  }
  return "invalid";
}

void BatchResult::add_failure(std::int64_t line, std::string error, FailureReason reason) {
  ++failed_count;
  ++failed_by_reason[static_cast<std::size_t>(reason)];
  if (failed.size() < kMaxFailedShown) failed.push_back(LineError{line, std::move(error)});
}

void BatchResult::merge(BatchResult&& later) {
  stored += later.stored;
  duplicates += later.duplicates;
  failed_count += later.failed_count;
  for (std::size_t i = 0; i < kFailureReasons; ++i)
    failed_by_reason[i] += later.failed_by_reason[i];
  rated += later.rated;
  provided += later.provided;
  unrated += later.unrated;
  for (LineError& e : later.failed) {
    if (failed.size() >= kMaxFailedShown) break;
    failed.push_back(std::move(e));
  }
}

IngestService::IngestService(AccountStore& accounts, CallStore& calls, TrunkStore& trunks,
                             RatingService& rating, IngestSettings settings)
    : accounts_(accounts),
      calls_(calls),
      trunks_(trunks),
      rating_(rating),
      settings_(std::move(settings)) {}

Micros IngestService::retention_floor() const {
  return now_from(settings_.now) - settings_.retention_days * kMicrosPerDay;
}

Result<BatchResult> PendingBatch::wait() {
  Status failed = error_;
  for (Chunk& chunk : chunks_) {  // every one is waited for: none is still being written after
    Result<std::vector<InsertOutcome>> outcomes = chunk.outcomes.get();
    if (!failed.ok()) continue;
    if (!outcomes.ok()) {
      failed = outcomes.status();
      continue;
    }
    if (outcomes->size() != chunk.rating.size()) {
      failed =
          Status::Internal("insert_calls returned " + std::to_string(outcomes->size()) +
                           " outcomes for " + std::to_string(chunk.rating.size()) + " records");
      continue;
    }
    for (std::size_t i = 0; i < outcomes->size(); ++i) {
      if ((*outcomes)[i] != InsertOutcome::kStored) {
        ++result_.duplicates;
        continue;
      }
      ++result_.stored;
      switch (chunk.rating[i]) {
        case RatingState::kRated:
          ++result_.rated;
          break;
        case RatingState::kProvided:
          ++result_.provided;
          break;
        case RatingState::kUnrated:
          ++result_.unrated;
          break;
      }
    }
  }
  chunks_.clear();
  if (!failed.ok()) return failed;
  if (on_batch_) on_batch_(result_);
  return std::move(result_);
}

Result<BatchResult> IngestService::ingest_records(const std::vector<MappedRecord>& records) const {
  Batch batch(accounts_, calls_, trunks_, rating_, settings_.retention_days, retention_floor());
  batch.expect(records.size());
  Status s;
  for (const MappedRecord& r : records) {
    batch.begin_record();
    s = batch.add(r.record, r.line);
    if (!s.ok()) break;
  }
  if (s.ok()) s = batch.flush();
  return PendingBatch(batch.take(), batch.take_chunks(), s, settings_.on_batch).wait();
}

PendingBatch IngestService::ingest_ndjson_async(std::string_view head, std::string_view rest,
                                                std::int64_t first_line) const {
  // A byte-order mark is stripped at the start of the text only, i.e. of `head` (or of `rest`
  // when there is no head).
  if (head.empty()) {
    rest = strip_bom(rest);
  } else {
    head = strip_bom(head);
  }
  Batch batch(accounts_, calls_, trunks_, rating_, settings_.retention_days, retention_floor());
  // A guess at the lines (a record is a few hundred bytes); a wrong one costs only a regrowth.
  batch.expect((head.size() + rest.size()) / 256 + 1);
  // `head` ends with a line end: its lines, then those of `rest` numbered on from there, are
  // the lines of head + rest.
  Status s = ingest_ndjson(batch, head, first_line);
  if (s.ok()) {
    s = ingest_ndjson(batch, rest, first_line + static_cast<std::int64_t>(count_byte(head, '\n')));
  }
  if (s.ok()) s = batch.flush();
  return PendingBatch(batch.take(), batch.take_chunks(), s, settings_.on_batch);
}

Result<BatchResult> IngestService::ingest_text(std::string_view text, Format format,
                                               std::int64_t first_line) const {
  return ingest_text_async(text, format, first_line).wait();
}

PendingBatch IngestService::ingest_text_async(std::string_view text, Format format,
                                              std::int64_t first_line) const {
  if (format == Format::kNdjson) return ingest_ndjson_async({}, text, first_line);
  text = strip_bom(text);
  Batch batch(accounts_, calls_, trunks_, rating_, settings_.retention_days, retention_floor());
  // A guess at the lines (a record is a few hundred bytes); a wrong one costs only a regrowth.
  batch.expect(text.size() / 256 + 1);
  Status s = ingest_csv(batch, text, first_line);
  if (s.ok()) s = batch.flush();
  return PendingBatch(batch.take(), batch.take_chunks(), s, settings_.on_batch);
}

}  // namespace cdrd::service::ingest
