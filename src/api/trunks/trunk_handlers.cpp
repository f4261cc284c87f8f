// Trunk/: create, retrieve, list (with its filters), update, delete. The rules between a
// trunk's direction and its links are service/trunks/trunk_rules.h.
#include <string>

#include "api/trunks/handlers.h"
#include "api/trunks/trunk_api.h"
#include "api/trunks/trunk_view.h"
#include "core/crypto.h"
#include "service/trunks/validators.h"

namespace cdrd::api::trunks {

namespace {

constexpr std::string_view kTrunkFields =
    "name, trunk_status, trunk_direction, secure, ipacl_uuid, credential_uuid, "
    "primary_uri_uuid, fallback_uri_uuid";
constexpr detail::ResourceOps<Trunk> kTrunkOps{"trunk", &is_trunk_id, &TrunkStore::find_trunk,
                                               &TrunkStore::delete_trunk};

struct Link {
  std::string_view field;
  std::string_view what;
  std::optional<std::string> Trunk::*member;
};
constexpr Link kLinks[] = {
    {"ipacl_uuid", "IP access control lists", &Trunk::ipacl_uuid},
    {"credential_uuid", "credentials", &Trunk::credential_uuid},
    {"primary_uri_uuid", "origination URIs", &Trunk::primary_uri_uuid},
    {"fallback_uri_uuid", "origination URIs", &Trunk::fallback_uri_uuid},
};

Status bad_value(std::string_view field, std::string_view form, std::string_view value) {
  return Status::Invalid(std::string(field) + ": must be " + std::string(form) + ", got '" +
                         echo(value) + "'");
}

// Reads the trunk attributes `body` gives onto `t`. A link given as null is removed.
Status apply_body(const JsonBody& body, Trunk& t) {
  if (Status s = body.check_fields({"name", "trunk_status", "trunk_direction", "secure",
                                    "ipacl_uuid", "credential_uuid", "primary_uri_uuid",
                                    "fallback_uri_uuid", "default_country"});
      !s.ok()) {
    return s;
  }
  if (Status s = detail::read_name(body, t.name); !s.ok()) return s;

  Result<std::optional<std::string>> status = body.string("trunk_status", "enabled or disabled");
  if (!status.ok()) return status.status();
  if (*status) {
    const auto parsed = parse_trunk_status(**status);
    if (!parsed) return bad_value("trunk_status", "enabled or disabled", **status);
    t.status = *parsed;
  }
  Result<std::optional<std::string>> direction =
      body.string("trunk_direction", "inbound or outbound");
  if (!direction.ok()) return direction.status();
  if (*direction) {
    const auto parsed = parse_direction(**direction);
    if (!parsed || **direction != to_string(*parsed)) {
      return bad_value("trunk_direction", "inbound or outbound", **direction);
    }
    t.direction = *parsed;
  }
  Result<std::optional<bool>> secure = body.boolean("secure");
  if (!secure.ok()) return secure.status();
  if (*secure) t.secure = **secure;

  // The country of the national and 00/011 numbers of the trunk's calls (docs/ingest.md).
  constexpr std::string_view kCountryForm =
      "two upper-case letters (ISO 3166 alpha-2, e.g. DE) or null";
  if (body.is_null("default_country")) {
    t.default_country.clear();
  } else {
    Result<std::optional<std::string>> country = body.string("default_country", kCountryForm);
    if (!country.ok()) return country.status();
    if (*country) {
      const std::string& c = **country;
      if (c.size() != 2 || c[0] < 'A' || c[0] > 'Z' || c[1] < 'A' || c[1] > 'Z') {
        return bad_value("default_country", kCountryForm, c);
      }
      t.default_country = c;
    }
  }

  for (const Link& link : kLinks) {
    if (body.is_null(link.field)) {
      (t.*link.member).reset();
      continue;
    }
    const std::string form = "the uuid of one of your " + std::string(link.what);
    Result<std::optional<std::string>> uuid = body.string(link.field, form);
    if (!uuid.ok()) return uuid.status();
    if (!*uuid) continue;
    if (!is_uuid_like(**uuid)) return bad_value(link.field, form, **uuid);
    t.*link.member = **uuid;
  }
  return Status::Ok();
}

}  // namespace

namespace detail {
namespace {

http::HttpResponse list_trunks(const Call& c) {
  TrunkFilter filter;
  auto on_filter = [&filter](std::string_view name, std::string_view value) -> Status {
    if (name == "trunk_status") {
      filter.status = parse_trunk_status(value);
      if (!filter.status) return bad_value(name, "enabled or disabled", value);
    } else if (name == "trunk_direction") {
      filter.direction = parse_direction(value);
      if (!filter.direction || value != to_string(*filter.direction)) {
        return bad_value(name, "inbound or outbound", value);
      }
    } else if (name == "secure") {
      if (value != "true" && value != "false") return bad_value(name, "true or false", value);
      filter.secure = value == "true";
    } else {
      if (!is_uuid_like(value)) return bad_value(name, "a uuid (letters, digits and '-')", value);
      std::optional<std::string> TrunkFilter::*member =
          name == "ipacl_uuid"         ? &TrunkFilter::ipacl_uuid
          : name == "credential_uuid"  ? &TrunkFilter::credential_uuid
          : name == "primary_uri_uuid" ? &TrunkFilter::primary_uri_uuid
                                       : &TrunkFilter::fallback_uri_uuid;
      filter.*member = std::string(value);
    }
    return Status::Ok();
  };
  Result<PageRequest> page =
      parse_list_query(c.request.query, c.account.id,
                       {"trunk_status", "trunk_direction", "secure", "ipacl_uuid",
                        "credential_uuid", "primary_uri_uuid", "fallback_uri_uuid"},
                       on_filter);
  if (!page.ok()) return error(page.status());
  Result<Page<Trunk>> rows = c.store.list_trunks(*page, filter);
  if (!rows.ok()) return error(rows.status());
  return list_response(c, *rows, *page);
}

http::HttpResponse create_trunk(const Call& c) {
  Result<JsonBody> body = body_of(c.request);
  if (!body.ok()) return error(body.status());
  Trunk draft;
  draft.account_id = c.account.id;
  if (Status s = apply_body(*body, draft); !s.ok()) return error(s);
  if (!body->has("trunk_direction") || body->is_null("trunk_direction")) {
    return error(Status::Missing("trunk_direction: is required (inbound or outbound)"));
  }
  Result<Trunk> trunk =
      service::trunks::create_trunk(c.store, c.ctx.settings.sip_domain, std::move(draft));
  if (!trunk.ok()) return error(trunk.status());
  return created("Trunk created successfully.", "trunk_id", trunk->trunk_id);
}

http::HttpResponse update_trunk(const Call& c, std::string_view trunk_id) {
  Trunk t;
  if (std::optional<http::HttpResponse> answer = find_row(c, kTrunkOps, trunk_id, t)) {
    return *answer;
  }
  Result<JsonBody> body = body_of(c.request);
  if (!body.ok()) return error(body.status());
  if (body->empty()) return error(nothing_to_change(kTrunkFields));
  if (Status s = apply_body(*body, t); !s.ok()) return error(s);
  if (Status s = check_trunk_links(t); !s.ok()) return error(s);
  if (Status s = c.store.update_trunk(t); !s.ok()) return error(s);
  return updated("Trunk updated successfully.", "trunk_id", t.trunk_id);
}

}  // namespace

const ResourceHandlers kTrunkHandlers{
    &list_trunks,
    &create_trunk,
    [](const Call& c, std::string_view id) { return get_row(c, kTrunkOps, id); },
    &update_trunk,
    [](const Call& c, std::string_view id) { return delete_row(c, kTrunkOps, id); },
};

}  // namespace detail
}  // namespace cdrd::api::trunks
