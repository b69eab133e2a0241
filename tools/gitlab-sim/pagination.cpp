#include "pagination.hpp"

#include <charconv>
#include <map>

#include "gitlab_errors.hpp"

namespace provisio::sim {
namespace {

// A positive integer parameter: nothing when absent, an error when not a number or below 1.
tl::expected<std::optional<std::int64_t>, http::HttpResponse> positive(
    const http::HttpRequest& request, std::string_view name) {
  const auto value = request.query_param(name);
  if (!value || value->empty()) return std::nullopt;
  std::int64_t n = 0;
  const auto [end, ec] = std::from_chars(value->data(), value->data() + value->size(), n);
  if (ec != std::errc() || end != value->data() + value->size() || n < 1) {
    return tl::unexpected(invalid_param(name));
  }
  return n;
}

std::string encode(std::string_view text) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out;
  for (unsigned char c : text) {
    if (std::isalnum(c) || c == '-' || c == '_' || c == '.' || c == '~') {
      out.push_back(static_cast<char>(c));
    } else {
      out.push_back('%');
      out.push_back(kHex[c >> 4]);
      out.push_back(kHex[c & 15]);
    }
  }
  return out;
}

}  // namespace

tl::expected<PageRequest, http::HttpResponse> parse_page(
    const http::HttpRequest& request, std::optional<std::string_view> keyset_type) {
  const auto page = positive(request, "page");
  if (!page) return tl::unexpected(page.error());
  const auto per_page = positive(request, "per_page");
  if (!per_page) return tl::unexpected(per_page.error());
  PageRequest out;
  if (*page) out.page = static_cast<std::size_t>(**page);
  if (*per_page) out.per_page = std::min(kMaxPerPage, static_cast<std::size_t>(**per_page));
  if (keyset_type && out.page * out.per_page > kMaxOffset) {
    return tl::unexpected(offset_limit_exceeded(*keyset_type));
  }
  return out;
}

std::string page_url(const http::HttpRequest& request, std::string_view base_url,
                     const std::vector<std::pair<std::string, std::string>>& replace) {
  std::map<std::string, std::string> query = request.query;
  for (const auto& [name, value] : replace) {
    if (value.empty()) {
      query.erase(name);
    } else {
      query[name] = value;
    }
  }
  std::string url = std::string(base_url) + request.path;
  char sep = '?';
  for (const auto& [name, value] : query) {
    url += sep;
    url += encode(name) + "=" + encode(value);
    sep = '&';
  }
  return url;
}

void add_offset_headers(http::HttpResponse& response, const http::HttpRequest& request,
                        std::string_view base_url, const PageRequest& page, std::size_t total) {
  const bool counted = total <= kCountLimit;
  const std::size_t pages = std::max<std::size_t>(1, (total + page.per_page - 1) / page.per_page);
  const bool has_next = page.offset() + page.per_page < total;
  const bool has_prev = page.page > 1;
  auto& h = response.headers;
  h.emplace_back("x-page", std::to_string(page.page));
  h.emplace_back("x-per-page", std::to_string(page.per_page));
  h.emplace_back("x-next-page", has_next ? std::to_string(page.page + 1) : "");
  h.emplace_back("x-prev-page", has_prev ? std::to_string(page.page - 1) : "");
  if (counted) {
    h.emplace_back("x-total", std::to_string(total));
    h.emplace_back("x-total-pages", std::to_string(pages));
  }
  const auto link = [&](std::size_t n, const char* rel) {
    return "<" +
           page_url(request, base_url,
                    {{"page", std::to_string(n)}, {"per_page", std::to_string(page.per_page)}}) +
           ">; rel=\"" + rel + "\"";
  };
  std::string links;
  const auto append = [&](std::string part) {
    if (!links.empty()) links += ", ";
    links += part;
  };
  if (has_prev) append(link(page.page - 1, "prev"));
  if (has_next) append(link(page.page + 1, "next"));
  append(link(1, "first"));
  if (counted) append(link(pages, "last"));
  h.emplace_back("Link", links);
}

bool wants_keyset(const http::HttpRequest& request) {
  return request.query_param("pagination").value_or("") == "keyset";
}

tl::expected<KeysetRequest, http::HttpResponse> parse_keyset(const http::HttpRequest& request) {
  KeysetRequest out;
  if (request.query_param("order_by").value_or("id") != "id") {
    return tl::unexpected(keyset_unsupported());
  }
  const std::string sort(request.query_param("sort").value_or("asc"));
  if (sort != "asc" && sort != "desc") return tl::unexpected(invalid_param("sort"));
  out.descending = sort == "desc";
  const auto per_page = positive(request, "per_page");
  if (!per_page) return tl::unexpected(per_page.error());
  if (*per_page) out.per_page = std::min(kMaxPerPage, static_cast<std::size_t>(**per_page));
  const auto after = positive(request, "id_after");
  if (!after) return tl::unexpected(after.error());
  const auto before = positive(request, "id_before");
  if (!before) return tl::unexpected(before.error());
  out.after = *after;
  out.before = *before;
  return out;
}

void add_keyset_headers(http::HttpResponse& response, const http::HttpRequest& request,
                        std::string_view base_url, const KeysetRequest& keyset,
                        std::optional<std::int64_t> last_id, bool more) {
  if (!more || !last_id) return;
  const std::string id = std::to_string(*last_id);
  const auto url = keyset.descending
                       ? page_url(request, base_url, {{"id_before", id}, {"id_after", ""}})
                       : page_url(request, base_url, {{"id_after", id}, {"id_before", ""}});
  response.headers.emplace_back("Link", "<" + url + ">; rel=\"next\"");
}

}  // namespace provisio::sim
