// Fuzzes the JSON request bodies of the trunk control plane (docs/api-trunks.md): the body
// reader on its own (parse, then every accessor over the names the handlers ask for), then the
// create handlers of the four resources and the trunk update handler over the body, on an
// in-memory TrunkStore.
#include "api/trunks/json_body.h"
#include "api/trunks/trunk_api.h"
#include "core/json_reader.h"
#include "fake_stores.h"
#include "fuzz_target.h"
#include "json_check.h"

using namespace cdrd;

namespace {

// The body reader under test: JsonBody, over the bounded reader of core/json_reader.h.
Result<api::trunks::JsonBody> read_body(std::string_view text) {
  return api::trunks::JsonBody::parse(text);
}

constexpr std::string_view kNames[] = {"name",
                                       "trunk_status",
                                       "trunk_direction",
                                       "secure",
                                       "ipacl_uuid",
                                       "credential_uuid",
                                       "primary_uri_uuid",
                                       "fallback_uri_uuid",
                                       "username",
                                       "password",
                                       "realm",
                                       "uri",
                                       "authentication_needed",
                                       "ip_addresses",
                                       ""};

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  static fuzz::FakeWorld* world = new fuzz::FakeWorld();
  static const Account account = fuzz::fuzz_account();
  const std::string_view text = fuzz::as_text(data, size);

  // The bounded reader alone: a value, or a refusal naming what is wrong.
  const auto value = parse_json(text);
  CDRD_FUZZ_CHECK(value.ok() || value.status().code() == Status::Code::kInvalidArgument);

  const Result<api::trunks::JsonBody> body = read_body(text);
  if (body.ok()) {
    (void)body->empty();
    (void)body->check_fields({"name", "username", "password"});
    for (std::string_view name : kNames) {
      (void)body->has(name);
      (void)body->is_null(name);
      (void)body->string(name, "a string");
      (void)body->string(name, "a string", /*secret=*/true);
      (void)body->boolean(name);
      (void)body->string_array(name, "an array of strings");
    }
  } else {
    CDRD_FUZZ_CHECK(body.status().code() == Status::Code::kInvalidArgument);
  }

  http::HttpRequest request;
  request.method = "POST";
  request.headers.emplace_back("content-type", "application/json");
  request.body = std::string(text);
  for (const api::trunks::ResourcePath& r : api::trunks::resource_paths()) {
    request.path =
        "/v1/Account/" + std::string(fuzz::kAuthId) + "/Zentrunk/" + std::string(r.segment) + "/";
    request.target = request.path;
    const http::HttpResponse created =
        api::trunks::handle_collection(world->ctx, world->trunks, account, request, r.resource);
    CDRD_FUZZ_CHECK(created.status != 500);
    CDRD_FUZZ_CHECK(fuzz::is_json(created.body));
  }
  request.path = "/v1/Account/" + std::string(fuzz::kAuthId) + "/Zentrunk/Trunk/" +
                 std::string(fuzz::kTrunkId) + "/";
  request.target = request.path;
  const http::HttpResponse updated = api::trunks::handle_item(
      world->ctx, world->trunks, account, request, api::trunks::Resource::kTrunk, fuzz::kTrunkId);
  CDRD_FUZZ_CHECK(updated.status != 500);
  CDRD_FUZZ_CHECK(fuzz::is_json(updated.body));
  return 0;
}
