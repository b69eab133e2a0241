#pragma once
// GitLab's REST pagination (CONTRACT.md §1), as pure functions of the request and a count.
//
// Offset: `page` (default 1) and `per_page` (default 20, clamped to 100); a value below 1 or not
// a number is a 400. Headers x-page, x-per-page, x-next-page and x-prev-page (empty at the ends),
// x-total and x-total-pages, and a Link header with rel prev/next/first/last. Above 10,000
// records x-total, x-total-pages and rel="last" are left out. On resources that also support
// keyset pagination (projects, users, groups), page * per_page above 50,000 is a 405.
//
// Keyset (`pagination=keyset`, `order_by=id`, `sort=asc|desc`): only a Link rel="next" carrying
// id_after/id_before, absent on the last page.

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <tl/expected.hpp>
#include <vector>

#include "http/http_types.hpp"

namespace provisio::sim {

inline constexpr std::size_t kDefaultPerPage = 20;
inline constexpr std::size_t kMaxPerPage = 100;
inline constexpr std::size_t kCountLimit = 10000;  // above it, no totals
inline constexpr std::size_t kMaxOffset = 50000;

struct PageRequest {
  std::size_t page = 1;
  std::size_t per_page = kDefaultPerPage;
  std::size_t offset() const { return (page - 1) * per_page; }
};

// The page asked for, or the 400 (or, when `keyset_type` names a keyset-capable resource such
// as "Project", the 405 past the offset limit) to answer instead.
tl::expected<PageRequest, http::HttpResponse> parse_page(
    const http::HttpRequest& request, std::optional<std::string_view> keyset_type);

// Adds the offset headers for a list of `total` items. `base_url` is "http://host:port".
void add_offset_headers(http::HttpResponse& response, const http::HttpRequest& request,
                        std::string_view base_url, const PageRequest& page, std::size_t total);

struct KeysetRequest {
  std::size_t per_page = kDefaultPerPage;
  bool descending = false;
  std::optional<std::int64_t> after;   // id_after (ascending)
  std::optional<std::int64_t> before;  // id_before (descending)
};

// True when the request asks for keyset pagination.
bool wants_keyset(const http::HttpRequest& request);
// The keyset request, or a 405 for an unsupported order / 400 for bad values.
tl::expected<KeysetRequest, http::HttpResponse> parse_keyset(const http::HttpRequest& request);
// Adds Link rel="next" after `last_id` when there are more records.
void add_keyset_headers(http::HttpResponse& response, const http::HttpRequest& request,
                        std::string_view base_url, const KeysetRequest& keyset,
                        std::optional<std::int64_t> last_id, bool more);

// The request's URL with some query parameters replaced (or removed when the value is empty),
// for Link headers. Parameters are percent-encoded and in name order.
std::string page_url(const http::HttpRequest& request, std::string_view base_url,
                     const std::vector<std::pair<std::string, std::string>>& replace);

// Slices a list for an offset page: [begin, end).
template <typename T>
std::vector<T> slice(const std::vector<T>& items, const PageRequest& page) {
  const std::size_t begin = std::min(items.size(), page.offset());
  const std::size_t end = std::min(items.size(), begin + page.per_page);
  return std::vector<T>(items.begin() + static_cast<std::ptrdiff_t>(begin),
                        items.begin() + static_cast<std::ptrdiff_t>(end));
}

}  // namespace provisio::sim
