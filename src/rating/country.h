// The country of a phone number: its ISO 3166-1 alpha-2 region, as libphonenumber decides it.
// libphonenumber's Parse and validity check cost 10-20 µs a number (ICU regular expressions),
// most of ingest's CPU; so country_of answers from a table compiled once from libphonenumber's
// own metadata (the number patterns of every region, matched by rating/digit_pattern.h), with
// libphonenumber's own steps, and asks libphonenumber only for the numbers the table leaves to
// it (a national prefix or leading zero after the calling code, a pattern outside the dialect);
// those answers are remembered in a bounded, sharded in-memory table, behind a fixed 512 KiB
// direct-mapped cache of atomic words. The table itself is compiled further, once, into a
// deterministic automaton over the number's digits (every pattern of a calling code followed
// side by side): a number costs one table load per digit, whether it was seen before or not,
// instead of a backtracking walk over the patterns (about 0.2-0.5 µs for a new number).
// country_test.cpp checks that all of this gives libphonenumber's answer over a large seeded
// sample (a million numbers of every calling code and length, each asked twice) and the
// automaton's answer against the patterns' walk (country_of_by_patterns) over more than a
// million numbers; tests/country_agreement_test.cpp checks the sample data set's numbers.
// No I/O; thread-safe (the table and the automaton are immutable after their first
// construction, which C++ makes thread-safe, as is libphonenumber's PhoneNumberUtil singleton;
// the caches take a lock per shard or none).
#pragma once

#include <string>
#include <string_view>

namespace cdrd::rating {

// "IN" for "+919943720205", "BR" for "552135006716" (bare international digits are read as if
// written with '+'). "" for anything that is not a valid phone number of one country: SIP
// usernames ("alice"), extensions ("1001"), numbers in ranges no country has assigned, and
// non-geographic numbers (+800 ...). Only '+' and digits are accepted (no spaces, no letters).
std::string country_of(std::string_view number);

// A number as dialled in `region` (ISO 3166 alpha-2: a default country, docs/ingest.md
// "Numbers") in E.164: national numbers ("030 1234567" in DE, "4155550100" in US) and numbers
// with the region's international prefix ("0044...", "011 44..." in US) become "+4930...",
// "+1415...", "+44...". "" when `number` does not start with a digit (already "+...", a SIP user)
// or is not a valid number when read that way; the caller then keeps its own reading. Asks
// libphonenumber (Parse, IsValidNumber, Format E164): 10-20 µs.
std::string e164_in_region(std::string_view number, std::string_view region);

// True if libphonenumber knows `region` as a country (an ISO 3166 alpha-2 code it has numbers of).
bool is_known_region(std::string_view region);

// The answer of the table's patterns walked one by one (DigitPattern's backtracking), with
// libphonenumber asked where they leave it open: how country_of answered before its automaton,
// the reference the automaton is tested against (about 0.2-0.5 µs a number).
std::string country_of_by_patterns(std::string_view number);

// The states of country_of's automaton, made on first use (for tests and benchmarks).
std::size_t country_automaton_states();

// The same answer from libphonenumber's Parse and IsValidNumberForRegion alone, without the
// table or the memo: the reference country_of is tested against (and slow: 10-20 µs).
std::string country_of_by_libphonenumber(std::string_view number);

}  // namespace cdrd::rating
