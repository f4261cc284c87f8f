// The country of a phone number: its ISO 3166-1 alpha-2 region, derived with libphonenumber's
// metadata. No I/O; thread-safe (libphonenumber's PhoneNumberUtil singleton is immutable after
// its first construction, which C++ makes thread-safe). Answers are remembered in a bounded,
// sharded in-memory table, since libphonenumber takes 10-20 µs a number and numbers repeat.
#pragma once

#include <string>
#include <string_view>

namespace cdrd::rating {

// "IN" for "+919943720205", "BR" for "552135006716" (bare international digits are read as if
// written with '+'). "" for anything that is not a valid phone number of one country: SIP
// usernames ("alice"), extensions ("1001"), numbers in ranges no country has assigned, and
// non-geographic numbers (+800 ...). Only '+' and digits are accepted (no spaces, no letters).
std::string country_of(std::string_view number);

}  // namespace cdrd::rating
