#pragma once
// Splitting a request target ("/api/users?q=a%20b") into its path and decoded query parameters.
// Pure functions: the server calls them, tests call them directly.

#include <map>
#include <optional>
#include <string>
#include <string_view>

namespace provisio::http {

// Percent-decodes text; with plus_as_space, '+' becomes ' ' (form and query encoding).
// Nothing when an escape is malformed ("%4", "%zz").
std::optional<std::string> percent_decode(std::string_view text, bool plus_as_space);

// Parses "a=1&b=x%20y&flag" into {a:1, b:"x y", flag:""}. A repeated key keeps its last value;
// a malformed escape makes the whole query invalid (nothing).
std::optional<std::map<std::string, std::string>> parse_query(std::string_view query);

struct Target {
  std::string path;  // still percent-encoded
  std::map<std::string, std::string> query;
};

// Nothing when the target is not an origin-form path ("/..."), or its query is malformed.
std::optional<Target> parse_target(std::string_view target);

}  // namespace provisio::http
