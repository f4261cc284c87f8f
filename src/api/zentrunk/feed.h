// The change feed of the SIP-trunk API (docs/api-calls.md, "Feed"):
//   GET /v1/Account/{auth_id}/Zentrunk/CallFeed/?after=CURSOR&limit=N
// The account's calls in the order they were stored (not by end_time), from a cursor on: a
// client that polls with the previous answer's meta.next_cursor gets every call stored since,
// once, also one that arrived late with an end_time older than calls it has already seen. A
// retried ingest batch stores nothing twice, so it adds nothing to the feed. The cursor is
// opaque to clients (today the storage id of the last call in decimal); an empty page keeps it.
//
//   parse_feed_query   request parameters -> FeedQuery, or a 400 message naming the
//                      parameter and the accepted form
//   render_feed        the page -> the JSON body
//   get_feed           the handler: parse, ask the store, render
//
// Pure functions apart from the store call; thread-safe.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "api/context.h"
#include "core/account.h"
#include "core/status.h"
#include "http/message.h"
#include "store/call_store.h"

namespace cdrd::api::zentrunk {

inline constexpr int kDefaultFeedLimit = 100;
inline constexpr int kMaxFeedLimit = 1000;

struct FeedQuery {
  std::int64_t after = 0;  // the cursor: calls stored after this storage id (0: from the first)
  int limit = kDefaultFeedLimit;
};

// after (a cursor: decimal digits, default the start) and limit (1 to 1000, default 100); any
// other name, a repeated name or a bad value is kInvalidArgument naming the parameter.
Result<FeedQuery> parse_feed_query(const http::Params& params);

// {"api_id", "meta": {"limit", "next_cursor"}, "objects": [the calls as the call list shows
// them]}; next_cursor is the last call's cursor, or the request's when the page is empty.
std::string render_feed(const std::vector<StoredCall>& calls, const FeedQuery& query);

http::HttpResponse get_feed(const ApiContext& ctx, const Account& account,
                            const http::HttpRequest& request);

}  // namespace cdrd::api::zentrunk
