// The ingest oracle of the CSV and NDJSON fuzz targets, which differ only in the format they
// feed: ingest_text over the whole input, then the streamed route (ingest_stream.h) over the
// same bytes in two pieces, split where the input's first byte says. A broken invariant aborts
// (CDRD_FUZZ_CHECK). Not thread-safe (a fuzz target runs one input at a time).
#pragma once

#include <cstddef>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <variant>

#include "api/ingest/ingest_stream.h"
#include "fake_stores.h"
#include "fuzz_target.h"
#include "json_check.h"
#include "service/ingest/ingest.h"

namespace cdrd::fuzz {

// `text` ingested as `format`, whole and streamed with `content_type`: the batch never fails on
// the fake stores and numbers its failed lines from 1; the streamed answer is 200 or 400 with a
// JSON body.
inline void check_ingest(FakeWorld& world, std::string_view text, service::ingest::Format format,
                         const std::string& content_type) {
  const Result<service::ingest::BatchResult> batch = world.ingest.ingest_text(text, format);
  CDRD_FUZZ_CHECK(batch.ok());  // the fake stores never fail
  for (const service::ingest::LineError& e : batch->failed) CDRD_FUZZ_CHECK(e.line >= 1);

  http::HttpRequest head;
  head.headers.emplace_back("content-type", content_type);
  auto opened = api::ingest::open_ingest_stream(world.ingest, head);
  auto sink = std::get<std::shared_ptr<http::BodySink>>(std::move(opened));
  const std::size_t split =
      text.empty() ? 0 : static_cast<unsigned char>(text[0]) % (text.size() + 1);
  std::optional<http::HttpResponse> stop = sink->write(text.substr(0, split));
  if (!stop) stop = sink->write(text.substr(split));
  const http::HttpResponse answer = stop ? std::move(*stop) : sink->finish();
  check_answer(answer);
}

}  // namespace cdrd::fuzz
