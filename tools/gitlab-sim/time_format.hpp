#pragma once
// Dates and times as GitLab writes them, from Unix seconds (UTC), without time zone libraries.

#include <cstdint>
#include <string>

namespace provisio::sim {

// "2021-03-04T05:06:07.000Z"
std::string iso_timestamp(std::int64_t unix_seconds);
// "2021-03-04T05:06:07Z" (hook payloads)
std::string iso_timestamp_seconds(std::int64_t unix_seconds);
// "2021-03-04"
std::string iso_date(std::int64_t unix_seconds);
// "Thu, 04 Mar 2021 05:06:07 GMT" (RateLimit-ResetTime)
std::string http_date(std::int64_t unix_seconds);

}  // namespace provisio::sim
