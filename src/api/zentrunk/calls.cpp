// The list and retrieve handlers of the SIP-trunk Call API: parse, ask the store, render.
#include "api/zentrunk/calls.h"

#include <string>
#include <string_view>

#include "api/errors.h"
#include "api/zentrunk/call_view.h"
#include "core/crypto.h"
#include "core/stage_times.h"

namespace cdrd::api::zentrunk {
namespace {

http::HttpResponse ok_json(std::string body) {
  http::HttpResponse r;
  r.status = 200;
  r.body = std::move(body);
  return r;
}

}  // namespace

http::HttpResponse list_calls(const ApiContext& ctx, const Account& account,
                              const http::HttpRequest& request, Representation rep) {
  Result<CallQuery> query =
      parse_call_list_query(request.query, account.id, ctx.now(), ctx.settings);
  if (!query.ok()) return error_response(query.status());
  stages::ListTiming timing(stages::ListApi::kZentrunk);  // the store times its stages in it
  Result<Page<CallRecord>> page = ctx.calls.list_calls(*query);
  if (!page.ok()) return error_response(page.status());
  stages::ListTimer rendering(stages::ListStage::kRender);
  return ok_json(render_call_list(*page, *query, rep, request.path, request.query));
}

http::HttpResponse get_call(const ApiContext& ctx, const Account& account,
                            std::string_view call_uuid, Representation rep) {
  // The SIP-trunk fields are all render_call shows.
  Result<CallRecord> found = ctx.find_trunk_call(account.id, call_uuid);
  if (!found.ok()) return error_response(found.status());
  return ok_json(render_call_response(*found, rep, new_uuid_v4()));
}

}  // namespace cdrd::api::zentrunk
