#include "time_format.hpp"

#include <cstdio>

namespace provisio::sim {
namespace {

struct Civil {
  int year, month, day, hour, minute, second, weekday;  // weekday 0 = Sunday
};

// Howard Hinnant's civil_from_days.
Civil civil(std::int64_t t) {
  std::int64_t days = t / 86400;
  std::int64_t rem = t % 86400;
  if (rem < 0) {
    rem += 86400;
    --days;
  }
  Civil c{};
  c.weekday = static_cast<int>((days % 7 + 11) % 7);  // 1970-01-01 was a Thursday
  const std::int64_t z = days + 719468;
  const std::int64_t era = (z >= 0 ? z : z - 146096) / 146097;
  const auto doe = static_cast<unsigned>(z - era * 146097);
  const unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  const unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  const unsigned mp = (5 * doy + 2) / 153;
  c.day = static_cast<int>(doy - (153 * mp + 2) / 5 + 1);
  c.month = static_cast<int>(mp < 10 ? mp + 3 : mp - 9);
  c.year = static_cast<int>(static_cast<std::int64_t>(yoe) + era * 400 + (c.month <= 2));
  c.hour = static_cast<int>(rem / 3600);
  c.minute = static_cast<int>(rem % 3600 / 60);
  c.second = static_cast<int>(rem % 60);
  return c;
}

}  // namespace

std::string iso_timestamp(std::int64_t t) {
  const Civil c = civil(t);
  char out[32];
  std::snprintf(out, sizeof out, "%04d-%02d-%02dT%02d:%02d:%02d.000Z", c.year, c.month, c.day,
                c.hour, c.minute, c.second);
  return out;
}

std::string iso_timestamp_seconds(std::int64_t t) {
  const Civil c = civil(t);
  char out[32];
  std::snprintf(out, sizeof out, "%04d-%02d-%02dT%02d:%02d:%02dZ", c.year, c.month, c.day, c.hour,
                c.minute, c.second);
  return out;
}

std::string iso_date(std::int64_t t) {
  const Civil c = civil(t);
  char out[16];
  std::snprintf(out, sizeof out, "%04d-%02d-%02d", c.year, c.month, c.day);
  return out;
}

std::string http_date(std::int64_t t) {
  static const char* kDays[] = {"Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"};
  static const char* kMonths[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                  "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
  const Civil c = civil(t);
  char out[40];
  std::snprintf(out, sizeof out, "%s, %02d %s %04d %02d:%02d:%02d GMT", kDays[c.weekday], c.day,
                kMonths[c.month - 1], c.year, c.hour, c.minute, c.second);
  return out;
}

}  // namespace provisio::sim
