#pragma once
// GitLab's pagination headers (CONTRACT.md §1), read without trusting the totals: they are
// absent above 10,000 records and a listing may grow while it is read.

#include <map>
#include <optional>
#include <string>

#include "gitlab/http_transport.hpp"

namespace provisio::gitlab {

// `<url>; rel="next", <url>; rel="last"` -> {"next": url, "last": url}.
std::map<std::string, std::string> parse_link_header(const std::string& value);

struct PageInfo {
  bool has_next = false;                // x-next-page not empty, or a rel="next" link
  std::optional<int> next_page;         // offset pagination
  std::optional<std::string> next_url;  // the rel="next" link (keyset pagination's only guide)
  std::optional<int> total_pages;       // absent above 10,000 records
};

PageInfo page_info(const TransportResponse& response);

}  // namespace provisio::gitlab
