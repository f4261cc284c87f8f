#include "rating/country.h"

#include <phonenumbers/phonenumber.pb.h>
#include <phonenumbers/phonenumberutil.h>

namespace cdrd::rating {

std::string country_of(std::string_view number) {
  using i18n::phonenumbers::PhoneNumber;
  using i18n::phonenumbers::PhoneNumberUtil;

  if (!number.empty() && number.front() == '+') number.remove_prefix(1);
  // E.164 allows at most 15 digits; the first is a country code digit, never 0.
  if (number.empty() || number.size() > 15 || number.front() == '0') return "";
  for (char c : number) {
    if (c < '0' || c > '9') return "";
  }
  const PhoneNumberUtil& util = *PhoneNumberUtil::GetInstance();
  PhoneNumber parsed;
  std::string text = "+";
  text.append(number);
  if (util.Parse(text, "ZZ", &parsed) != PhoneNumberUtil::NO_PARSING_ERROR) return "";
  if (!util.IsValidNumber(parsed)) return "";
  std::string region;
  util.GetRegionCodeForNumber(parsed, &region);
  // "ZZ" is unknown and "001" the non-geographic entity: neither is a country.
  const bool alpha2 = region.size() == 2 && region[0] >= 'A' && region[0] <= 'Z' &&
                      region[1] >= 'A' && region[1] <= 'Z';
  if (!alpha2 || region == "ZZ") return "";
  return region;
}

}  // namespace cdrd::rating
