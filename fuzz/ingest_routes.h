// What the two ingest fuzz targets (ingest_csv.cpp, ingest_ndjson.cpp) check alike: both
// routes of POST /v1/ingest/calls over the same bytes, a whole body (ingest_text) and a streamed
// one (api/ingest/ingest_stream.h).
// Crashes (CDRD_FUZZ_CHECK) when an invariant does not hold; single-threaded like every target.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>

#include "api/ingest/ingest_stream.h"
#include "fake_stores.h"
#include "fuzz_target.h"
#include "json_check.h"
#include "service/ingest/ingest.h"

namespace cdrd::fuzz {

// The bytes as one batch of `format`: every failed line names a line. Then the same bytes sent
// as a `content_type` body in two pieces, split where the first byte says, cut into records and
// answered like a whole body: 200 or 400 with a JSON body.
inline void check_ingest(FakeWorld& world, service::ingest::Format format,
                         std::string_view content_type, const std::uint8_t* data,
                         std::size_t size) {
  const std::string_view text = as_text(data, size);
  const Result<service::ingest::BatchResult> batch = world.ingest.ingest_text(text, format);
  CDRD_FUZZ_CHECK(batch.ok());  // the fake stores never fail
  for (const service::ingest::LineError& e : batch->failed) CDRD_FUZZ_CHECK(e.line >= 1);

  http::HttpRequest head;
  head.headers.emplace_back("content-type", std::string(content_type));
  auto opened = api::ingest::open_ingest_stream(world.ingest, head);
  auto sink = std::get<std::shared_ptr<http::BodySink>>(std::move(opened));
  const std::size_t split = size == 0 ? 0 : data[0] % (size + 1);
  std::optional<http::HttpResponse> stop = sink->write(text.substr(0, split));
  if (!stop) stop = sink->write(text.substr(split));
  const http::HttpResponse answer = stop ? std::move(*stop) : sink->finish();
  CDRD_FUZZ_CHECK(answer.status == 200 || answer.status == 400);
  CDRD_FUZZ_CHECK(is_json(answer.body));
}

}  // namespace cdrd::fuzz
