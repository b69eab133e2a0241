// The headers of a GitLab answer that steer the client: pagination (x-next-page, x-total-pages,
// Link) and rate limits (RateLimit-*, Retry-After). The input is header lines "name: value";
// names are lower-cased as the transport does. Checks that what the readers return is usable:
// page numbers are positive, has_next agrees with them, and the rate limiter never sends a
// request into the past.

#include <algorithm>
#include <cctype>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "fuzz_check.hpp"
#include "gitlab/pagination.hpp"
#include "gitlab/rate_limiter.hpp"

namespace {

using namespace provisio;
using fuzz::require;

gitlab::TransportResponse parse_headers(std::string_view text) {
  gitlab::TransportResponse r;
  r.status = 200;
  while (!text.empty()) {
    const auto eol = text.find('\n');
    std::string_view line = text.substr(0, eol);
    text = eol == std::string_view::npos ? std::string_view() : text.substr(eol + 1);
    const auto colon = line.find(':');
    if (colon == std::string_view::npos) continue;
    std::string name(line.substr(0, colon));
    std::transform(name.begin(), name.end(), name.begin(),
                   [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    std::string_view value = line.substr(colon + 1);
    if (!value.empty() && value.front() == ' ') value.remove_prefix(1);
    if (name == "status") {
      r.status = std::atoi(std::string(value).c_str());
      continue;
    }
    r.headers[name] = std::string(value);
  }
  return r;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const auto response = parse_headers(std::string_view(reinterpret_cast<const char*>(data), size));

  for (const auto& [name, value] : response.headers) (void)gitlab::parse_link_header(value);
  const gitlab::PageInfo page = gitlab::page_info(response);
  require(!page.next_page || *page.next_page >= 1, "a next page is positive");
  require(!page.total_pages || *page.total_pages >= 1, "a total is positive");
  require(page.has_next == (page.next_page.has_value() || page.next_url.has_value()),
          "has_next says whether there is a next page");

  const Millis now = 1'700'000'000'000;
  gitlab::RateLimiter limiter;
  limiter.observe(response, now);
  const Millis first = limiter.next_start(now);
  require(first >= now, "the next start is not in the past");
  limiter.on_start(first);
  require(limiter.next_start(first) >= first, "the next start is not in the past");
  const Millis resume = limiter.on_throttled(response, first);
  require(resume >= first, "a 429 pauses until now or later");
  require(limiter.next_start(first) >= resume, "nothing starts during the pause");
  return 0;
}
