#include "gitlab/pagination.hpp"

#include <charconv>

namespace provisio::gitlab {
namespace {

std::string trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return std::string(s);
}

std::optional<int> positive_int(const std::string& s) {
  int v = 0;
  const auto t = trim(s);
  const auto [end, ec] = std::from_chars(t.data(), t.data() + t.size(), v);
  if (ec != std::errc() || end != t.data() + t.size() || v < 1) return std::nullopt;
  return v;
}

}  // namespace

std::map<std::string, std::string> parse_link_header(const std::string& value) {
  std::map<std::string, std::string> out;
  std::size_t pos = 0;
  while (pos < value.size()) {
    const auto open = value.find('<', pos);
    if (open == std::string::npos) break;
    const auto close = value.find('>', open);
    if (close == std::string::npos) break;
    const std::string url = value.substr(open + 1, close - open - 1);
    const auto next_link = value.find('<', close);
    const std::string params = value.substr(
        close + 1, next_link == std::string::npos ? std::string::npos : next_link - close - 1);
    const auto rel = params.find("rel=");
    if (rel != std::string::npos) {
      std::string name = params.substr(rel + 4);
      const auto end = name.find_first_of(";,");
      name = trim(name.substr(0, end));
      if (name.size() >= 2 && name.front() == '"' && name.back() == '"') {
        name = name.substr(1, name.size() - 2);
      }
      out.emplace(name, url);
    }
    pos = close + 1;
  }
  return out;
}

PageInfo page_info(const TransportResponse& response) {
  PageInfo info;
  info.next_page = positive_int(response.header("x-next-page"));
  info.total_pages = positive_int(response.header("x-total-pages"));
  const auto links = parse_link_header(response.header("link"));
  if (const auto it = links.find("next"); it != links.end()) info.next_url = it->second;
  info.has_next = info.next_page.has_value() || info.next_url.has_value();
  return info;
}

}  // namespace provisio::gitlab
