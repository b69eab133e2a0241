#pragma once
// A browser as far as a login flow needs one: follows redirects across loopback servers, keeps
// the cookies each server sets (by port, honouring Max-Age=0 and Path), and sends them back.
// Enough to drive "Log in with GitLab" between Provisio and gitlab-sim without a real browser.

#include <cstdint>
#include <map>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

#include "http_client.hpp"

namespace provisio::testing {

struct Url {
  std::uint16_t port = 0;
  std::string target;  // path and query
};

// "http://127.0.0.1:8080/a?b" -> {8080, "/a?b"}. Only loopback http URLs; others throw.
inline Url parse_loopback_url(const std::string& url) {
  for (const std::string prefix : {"http://127.0.0.1:", "http://localhost:"}) {
    if (url.rfind(prefix, 0) == 0) {
      const auto slash = url.find('/', prefix.size());
      const std::string port = url.substr(prefix.size(), slash - prefix.size());
      return Url{static_cast<std::uint16_t>(std::stoi(port)),
                 slash == std::string::npos ? "/" : url.substr(slash)};
    }
  }
  throw std::runtime_error("not a loopback URL: " + url);
}

struct Cookie {
  std::string value;
  std::string path = "/";
};

class Browser {
 public:
  // One request, no redirect followed. `url` is absolute (loopback) or a path on `home_port`.
  ClientResponse get(const std::string& url) {
    const Url u = resolve(url);
    HttpClient client(u.port);
    std::map<std::string, std::string> headers{{"Host", "127.0.0.1:" + std::to_string(u.port)}};
    if (auto line = cookie_header(u)) headers["Cookie"] = *line;
    ClientResponse response = client.request("GET", u.target, "", headers);
    remember(u.port, response);
    return response;
  }

  // GETs `url` and follows Location headers (at most 10); `visited` lists every URL requested.
  ClientResponse navigate(const std::string& url) {
    visited.clear();
    std::string next = url;
    for (int hops = 0; hops < 10; ++hops) {
      visited.push_back(absolute(next));
      ClientResponse response = get(next);
      const auto location = response.headers.find("Location");
      if (response.status < 300 || response.status >= 400 || location == response.headers.end()) {
        return response;
      }
      next = location->second;
    }
    throw std::runtime_error("more than 10 redirects from " + url);
  }

  std::optional<std::string> cookie(std::uint16_t port, const std::string& name) const {
    const auto jar = jars_.find(port);
    if (jar == jars_.end()) return std::nullopt;
    const auto it = jar->second.find(name);
    if (it == jar->second.end()) return std::nullopt;
    return it->second.value;
  }
  void set_cookie(std::uint16_t port, const std::string& name, const std::string& value) {
    jars_[port][name] = Cookie{value, "/"};
  }
  void clear_cookies() { jars_.clear(); }

  std::uint16_t home_port = 0;  // where a bare path goes
  std::vector<std::string> visited;

 private:
  Url resolve(const std::string& url) const {
    if (!url.empty() && url.front() == '/') return Url{home_port, url};
    return parse_loopback_url(url);
  }
  std::string absolute(const std::string& url) const {
    if (!url.empty() && url.front() == '/')
      return "http://127.0.0.1:" + std::to_string(home_port) + url;
    return url;
  }

  std::optional<std::string> cookie_header(const Url& u) const {
    const auto jar = jars_.find(u.port);
    if (jar == jars_.end()) return std::nullopt;
    std::string line;
    for (const auto& [name, c] : jar->second) {
      if (u.target.rfind(c.path, 0) != 0) continue;
      line += (line.empty() ? "" : "; ") + name + "=" + c.value;
    }
    return line.empty() ? std::nullopt : std::optional(line);
  }

  // Every Set-Cookie line of the answer (a response may set several).
  void remember(std::uint16_t port, const ClientResponse& response) {
    for (const std::string& line : response.set_cookies) {
      const auto eq = line.find('=');
      const auto semi = line.find(';');
      const std::string name = line.substr(0, eq);
      const std::string value =
          line.substr(eq + 1, semi == std::string::npos ? semi : semi - eq - 1);
      Cookie c{value, "/"};
      if (const auto p = line.find("Path="); p != std::string::npos) {
        const auto end = line.find(';', p);
        c.path = line.substr(p + 5, end == std::string::npos ? end : end - p - 5);
      }
      if (line.find("Max-Age=0") != std::string::npos) {
        jars_[port].erase(name);
      } else {
        jars_[port][name] = c;
      }
    }
  }

  std::map<std::uint16_t, std::map<std::string, Cookie>> jars_;
};

}  // namespace provisio::testing
