#pragma once
// Percent-encoding (RFC 3986) for the URLs and form bodies we build: a GitLab path as one URL
// segment, the parameters of an OAuth redirect, a form field. Pure.

#include <string>
#include <string_view>

namespace provisio {

// Every byte except the unreserved A-Z a-z 0-9 - . _ ~ becomes %XX: safe in a path segment, a
// query value and an application/x-www-form-urlencoded value alike.
std::string percent_encode(std::string_view text);

}  // namespace provisio
