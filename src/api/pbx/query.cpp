// parse_list_options: the request options of seed 002's calls/ (and call_history/) -> CallQuery.
#include <charconv>
#include <string>
#include <string_view>

#include "api/pbx/pbx.h"
#include "core/time.h"

namespace cdrd::api::pbx {
namespace {

constexpr std::size_t kMaxEcho = 64;
constexpr std::size_t kMaxText = 256;
constexpr std::int64_t kMaxPage = 1'000'000'000;

constexpr std::string_view kAccepted =
    "start_datetime, end_datetime, order, page, per_page, from_username, to_username, flow, "
    "bridged_username, did_number, extension_id, start_duration, end_duration, "
    "start_bridged_duration, end_bridged_duration";

constexpr std::string_view kFormTime = "must be a UTC time YYYY-MM-DD HH:MM:SS";
constexpr std::string_view kFormSeconds = "must be a whole number of seconds >= 0";

std::string echo(std::string_view v) {
  return v.size() <= kMaxEcho ? std::string(v) : std::string(v.substr(0, kMaxEcho)) + "...";
}

Status bad(std::string_view name, std::string_view form, std::string_view value) {
  return Status::Invalid(std::string(name) + ": " + std::string(form) + ", got '" + echo(value) +
                         "'");
}

std::optional<std::int64_t> whole(std::string_view s, std::int64_t min, std::int64_t max) {
  if (s.empty() || s.size() > 18) return std::nullopt;
  for (char c : s) {
    if (c < '0' || c > '9') return std::nullopt;
  }
  std::int64_t v = 0;
  std::from_chars(s.data(), s.data() + s.size(), v);
  if (v < min || v > max) return std::nullopt;
  return v;
}

// A query '+' arrives decoded as ' ' (form encoding): "+7911..." sent unencoded reads " 7911...".
std::string restore_plus(std::string_view v) {
  std::string s(v);
  if (!s.empty() && s[0] == ' ') s[0] = '+';
  return s;
}

bool is_array_option(std::string_view name) {
  return name == "from_username" || name == "to_username" || name == "flow" ||
         name == "bridged_username" || name == "did_number" || name == "extension_id";
}

bool is_scalar_option(std::string_view name) {
  return name == "start_datetime" || name == "end_datetime" || name == "order" || name == "page" ||
         name == "per_page" || name == "start_duration" || name == "end_duration" ||
         name == "start_bridged_duration" || name == "end_bridged_duration";
}

}  // namespace

Result<CallQuery> parse_list_options(const http::Params& params, std::int64_t account_id,
                                     Micros retention_floor) {
  CallQuery q;
  q.account_id = account_id;
  q.order = SortOrder::kNewestFirst;
  q.count_total = false;
  std::int64_t page = 1;
  std::int64_t per_page = kDefaultPerPage;
  std::vector<std::string> seen;

  for (const auto& [raw_name, raw_value] : params) {
    std::string_view name = raw_name;
    if (name.size() > 2 && name.substr(name.size() - 2) == "[]") name.remove_suffix(2);
    if (!is_array_option(name) && !is_scalar_option(name)) {
      return Status::Invalid("unknown option '" + echo(raw_name) +
                             "' (accepted: " + std::string(kAccepted) + ")");
    }
    const std::string_view value = raw_value;
    // Public clients of the provider send every option, leaving the unset ones empty
    // (`?end_datetime=&flow=&per_page=50`): an empty value is the option left out.
    if (value.empty()) continue;
    if (is_scalar_option(name)) {
      for (const std::string& s : seen) {
        if (s == name) {
          return Status::Invalid(std::string(name) + ": given more than once (it takes one value)");
        }
      }
      seen.emplace_back(name);
    }

    if (name == "start_datetime" || name == "end_datetime") {
      std::string text(value);
      // "...+00:00" sent unencoded arrives as "... 00:00".
      if (text.size() > 19 && text.compare(text.size() - 6, 6, " 00:00") == 0) {
        text[text.size() - 6] = '+';
      }
      const std::optional<TimeInterval> t = parse_timestamp(text);
      if (!t) return bad(name, kFormTime, value);
      // Both bounds are inclusive of the time they name: start_datetime=... 10:00:00 includes a
      // call initiated at 10:00:00.000, end_datetime=... 10:59:59 one initiated at 10:59:59.9.
      if (name == "start_datetime") {
        q.initiation_time.from = t->start;
      } else {
        q.initiation_time.until = t->end();
      }
    } else if (name == "order") {
      if (value == "asc") {
        q.order = SortOrder::kOldestFirst;
      } else if (value == "desc") {
        q.order = SortOrder::kNewestFirst;
      } else {
        return bad(name, "must be asc or desc", value);
      }
    } else if (name == "page") {
      const auto v = whole(value, 1, kMaxPage);
      if (!v) return bad(name, "must be a whole number from 1 to 1000000000", value);
      page = *v;
    } else if (name == "per_page") {
      // 0 is what those clients send when their caller set no page size: the default.
      const auto v = whole(value, 0, kMaxPerPage);
      if (!v) {
        return bad(name,
                   "must be a whole number from 1 to " + std::to_string(kMaxPerPage) +
                       " (0 for the default " + std::to_string(kDefaultPerPage) + ")",
                   value);
      }
      per_page = *v == 0 ? kDefaultPerPage : *v;
    } else if (name == "start_duration" || name == "end_duration" ||
               name == "start_bridged_duration" || name == "end_bridged_duration") {
      const auto v = whole(value, 0, 1'000'000'000);
      if (!v) return bad(name, kFormSeconds, value);
      IntRange& r =
          name.find("bridged") != std::string_view::npos ? q.bridged_duration : q.duration;
      (name.substr(0, 5) == "start" ? r.min : r.max) = *v;
    } else if (name == "flow") {
      if (value != "in" && value != "out" && value != "transfer") {
        return bad(name, "must be in, out or transfer", value);
      }
      q.flows.emplace_back(value);
    } else if (name == "extension_id") {
      const auto v = whole(value, 0, 999'999'999'999'999'999);
      if (!v) return bad(name, "must be a whole number", value);
      q.extension_ids.push_back(*v);
    } else {
      if (value.size() > kMaxText) {
        return bad(name, "must be at most 256 characters", value);
      }
      std::vector<std::string>& list = name == "from_username"      ? q.from_usernames
                                       : name == "to_username"      ? q.to_usernames
                                       : name == "bridged_username" ? q.bridged_usernames
                                                                    : q.did_numbers;
      list.push_back(restore_plus(value));
    }
  }

  // Calls that ended before the retention floor are never served. A call ends after it is
  // initiated, so start_datetime also bounds end_time from below (which lets the store walk its
  // end_time index).
  q.end_time.from = retention_floor;
  if (q.initiation_time.from && *q.initiation_time.from > retention_floor) {
    q.end_time.from = *q.initiation_time.from;
  }
  q.limit = static_cast<int>(per_page);
  q.offset = (page - 1) * per_page;
  return q;
}

}  // namespace cdrd::api::pbx
