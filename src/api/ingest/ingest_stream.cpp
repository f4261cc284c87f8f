#include "api/ingest/ingest_stream.h"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <deque>

#include "api/errors.h"
#include "api/ingest/ingest_response.h"
#include "core/ascii.h"

namespace cdrd::api::ingest {
namespace {

// Pieces of one body whose records may be being stored while the next piece is parsed: the
// writer commits one while this request's worker reads the next (memory: about this many
// pieces of records per request).
constexpr std::size_t kPiecesInFlight = 4;

class IngestStream : public http::BodySink {
 public:
  IngestStream(const service::ingest::IngestService& service, Format format)
      : service_(service), format_(format) {}

  std::optional<http::HttpResponse> write(std::string_view piece) override {
    if (piece.empty()) return std::nullopt;
    seen_bytes_ = true;
    if (at_start_ && pending_.empty() && piece.size() >= 3) {
      // The whole of a byte-order mark, if there is one, is here: dropped as below.
      if (piece.starts_with("\xEF\xBB\xBF")) piece.remove_prefix(3);
      at_start_ = false;
    }
    if (format_ == Format::kNdjson && !at_start_ && !skipping_) {
      const std::size_t first_end = piece.find('\n');
      if (first_end != std::string_view::npos) return ingest_in_place(piece, first_end);
    }
    pending_.append(piece);
    if (at_start_) {
      if (pending_.size() < 3 && std::string_view("\xEF\xBB\xBF").starts_with(pending_)) {
        return std::nullopt;  // maybe the start of a byte-order mark: wait for more
      }
      if (std::string_view(pending_).starts_with("\xEF\xBB\xBF")) pending_.erase(0, 3);
      at_start_ = false;
    }
    return ingest_complete_records(/*last=*/false);
  }

  http::HttpResponse finish() override {
    if (auto stop = ingest_complete_records(/*last=*/true)) return std::move(*stop);
    // Answered only once every record of the body is durable.
    if (auto stop = settle(0)) return std::move(*stop);
    if (!seen_bytes_) {
      return error_response(400, "empty body: send call records, one per line (NDJSON or CSV)");
    }
    return ingest_response(total_);
  }

 private:
  // Ingests what `pending_` holds up to its last complete record (everything when `last`).
  std::optional<http::HttpResponse> ingest_complete_records(bool last) {
    for (;;) {
      if (skipping_) {
        const std::size_t nl = pending_.find('\n');
        if (nl == std::string::npos) {
          pending_.clear();
          return std::nullopt;
        }
        pending_.erase(0, nl + 1);
        skipping_ = false;
        ++next_line_;
      }
      std::size_t cut = last ? pending_.size() : cut_point();
      if (cut == std::string::npos) {
        if (pending_.size() <= kMaxRecordBytes) return std::nullopt;
        const std::size_t nl = pending_.rfind('\n');
        if (nl != std::string::npos) {
          cut = nl + 1;  // an unterminated quote: let the reader report the row
        } else {
          // Failures are kept in input order: the pieces before this line are answered first.
          if (auto stop = settle(0)) return stop;
          fail_long_line();
          continue;
        }
      }
      if (cut == 0) return std::nullopt;
      const std::string_view text(pending_.data(), cut);
      if (auto stop = ingest(text)) return stop;
      next_line_ += static_cast<std::int64_t>(count_byte(text, '\n'));
      pending_.erase(0, cut);
      return std::nullopt;
    }
  }

  // NDJSON with a line end in `piece` (the first at `first_end`): what appending `piece` to
  // pending_ and ingest_complete_records(false) do, without copying the piece. The line that
  // straddles the two (pending_, completed by the piece up to its first line end) and the
  // piece's later complete lines are ingested together, in place; the piece's unfinished last
  // line waits in pending_.
  std::optional<http::HttpResponse> ingest_in_place(std::string_view piece, std::size_t first_end) {
    const std::size_t last_end = piece.rfind('\n');
    pending_.append(piece.substr(0, first_end + 1));
    const std::string_view rest = piece.substr(first_end + 1, last_end - first_end);
    in_flight_.push_back(service_.ingest_ndjson_async(pending_, rest, next_line_));
    if (auto stop = settle(kPiecesInFlight)) return stop;
    next_line_ += static_cast<std::int64_t>(count_byte(pending_, '\n') + count_byte(rest, '\n'));
    pending_.assign(piece.substr(last_end + 1));
    return std::nullopt;
  }

  // Just after the last line end that closes a record, or npos.
  std::size_t cut_point() const {
    if (format_ == Format::kNdjson) {
      const std::size_t nl = pending_.rfind('\n');
      return nl == std::string::npos ? nl : nl + 1;
    }
    bool quoted = false;
    std::size_t cut = std::string::npos;
    for (std::size_t i = 0; i < pending_.size(); ++i) {
      if (pending_[i] == '"') quoted = !quoted;
      if (pending_[i] == '\n' && !quoted) cut = i + 1;
    }
    return cut;
  }

  void fail_long_line() {
    total_.add_failure(next_line_, "line longer than " + std::to_string(kMaxRecordBytes) +
                                       " bytes: a record must be shorter");
    pending_.clear();
    skipping_ = true;
  }

  // Parses, validates and rates `text` now and hands its records to the store; the next piece
  // is read while they are written, with at most kPiecesInFlight pieces being written at once.
  std::optional<http::HttpResponse> ingest(std::string_view text) {
    if (format_ == Format::kCsv && !header_.empty()) {
      // Later CSV pieces are read with the header row in front, numbered one line earlier.
      const std::string with_header = header_ + std::string(text);
      in_flight_.push_back(
          service_.ingest_text_async(with_header, format_, next_line_ - header_lines_));
    } else {
      in_flight_.push_back(service_.ingest_text_async(text, format_, next_line_));
    }
    if (format_ == Format::kCsv && header_.empty()) {
      // The header is judged by the first piece's answer.
      if (auto stop = settle(0)) return stop;
      remember_header(text);
      if (header_failed_) return ingest_response(total_);
      return std::nullopt;
    }
    return settle(kPiecesInFlight);
  }

  // Waits for the oldest pieces until at most `keep` are being written; a storage failure
  // answers the request (after every piece in flight has been answered, so nothing of this
  // body is still being written when the client hears of it).
  std::optional<http::HttpResponse> settle(std::size_t keep) {
    Status failed;
    while (in_flight_.size() > keep || (!failed.ok() && !in_flight_.empty())) {
      Result<BatchResult> result = in_flight_.front().wait();
      in_flight_.pop_front();
      if (!result.ok()) {
        if (failed.ok()) failed = result.status();
        continue;
      }
      total_.merge(std::move(result).value());
    }
    if (failed.ok()) return std::nullopt;
    spdlog::error("ingest: storing calls failed: {}", failed.message());
    return error_response(failed);
  }

  // The first record of the first CSV piece is the header: later pieces are read with it.
  void remember_header(std::string_view text) {
    for (;;) {  // blank lines before it are skipped by the reader, and here
      const std::size_t nl = text.find('\n');
      if (nl == std::string_view::npos ||
          text.substr(0, nl + 1).find_first_not_of(" \t\r\n") != std::string_view::npos) {
        break;
      }
      text.remove_prefix(nl + 1);
    }
    bool quoted = false;
    std::size_t end = text.size();
    for (std::size_t i = 0; i < text.size(); ++i) {
      if (text[i] == '"') quoted = !quoted;
      if (text[i] == '\n' && !quoted) {
        end = i + 1;
        break;
      }
    }
    header_.assign(text.substr(0, end));
    header_lines_ = std::max<std::int64_t>(1, std::count(header_.begin(), header_.end(), '\n'));
    // A bad header makes every row unreadable: ingest_text reported it as the one error.
    header_failed_ = total_.stored == 0 && total_.duplicates == 0 && !total_.failed.empty() &&
                     total_.failed.front().error.starts_with("CSV header");
  }

  const service::ingest::IngestService& service_;
  const Format format_;
  std::string pending_;  // received, not yet ingested
  std::string header_;   // CSV: the header row, with its line end
  std::int64_t header_lines_ = 1;
  std::int64_t next_line_ = 1;  // the number of pending_'s first line
  bool at_start_ = true;
  bool seen_bytes_ = false;
  bool skipping_ = false;  // dropping the rest of an over-long line
  bool header_failed_ = false;
  BatchResult total_;  // of the pieces answered so far
  // Pieces whose records are being stored, oldest first.
  std::deque<service::ingest::PendingBatch> in_flight_;
};

}  // namespace

std::variant<std::shared_ptr<http::BodySink>, http::HttpResponse> open_ingest_stream(
    const service::ingest::IngestService& ingest, const http::HttpRequest& head) {
  Result<Format> format = ingest_format(head.header("content-type"));
  if (!format.ok()) return error_response(415, format.status().message());
  return std::make_shared<IngestStream>(ingest, *format);
}

}  // namespace cdrd::api::ingest
