#include "http/router.hpp"

#include <spdlog/spdlog.h>

#include <exception>
#include <map>
#include <set>
#include <typeinfo>

#include "http/error_response.hpp"
#include "http/target.hpp"

namespace provisio::http {
namespace {

// "/a/b/" -> {"a", "b", ""}: a trailing slash is a segment of its own, so "/a/" is not "/a".
std::vector<std::string_view> split_path(std::string_view path) {
  std::vector<std::string_view> parts;
  if (path.empty() || path.front() != '/') return parts;
  path.remove_prefix(1);
  while (true) {
    const auto slash = path.find('/');
    parts.push_back(path.substr(0, slash));
    if (slash == std::string_view::npos) break;
    path.remove_prefix(slash + 1);
  }
  return parts;
}

// True when a is more specific than b: a literal where b has a parameter at the first
// position where they differ.
template <typename Segments>
bool more_specific(const Segments& a, const Segments& b) {
  for (std::size_t i = 0; i < a.size() && i < b.size(); ++i) {
    if (a[i].is_param != b[i].is_param) return !a[i].is_param;
  }
  return false;
}

}  // namespace

void Router::add(std::string method, std::string_view pattern, Handler handler) {
  Route route;
  route.method = std::move(method);
  route.pattern = std::string(pattern);
  for (const auto part : split_path(pattern)) {
    Segment segment;
    if (part.size() >= 2 && part.front() == '{' && part.back() == '}') {
      segment.is_param = true;
      segment.text = std::string(part.substr(1, part.size() - 2));
    } else {
      segment.text = std::string(part);
    }
    route.segments.push_back(std::move(segment));
  }
  route.handler = std::move(handler);
  routes_.push_back(std::move(route));
}

bool Router::match(const Route& route, const std::vector<std::string_view>& parts,
                   std::map<std::string, std::string>& params) {
  if (route.segments.size() != parts.size()) return false;
  params.clear();
  for (std::size_t i = 0; i < parts.size(); ++i) {
    const Segment& segment = route.segments[i];
    if (!segment.is_param) {
      if (segment.text != parts[i]) return false;
      continue;
    }
    if (parts[i].empty()) return false;
    auto value = percent_decode(parts[i], false);
    if (!value) return false;
    params[segment.text] = std::move(*value);
  }
  return true;
}

void Router::set_fallback(Handler handler) { fallback_ = std::move(handler); }

HttpResponse Router::call(const Handler& handler, const HttpRequest& request,
                          std::string_view pattern) {
  try {
    return handler(request);
  } catch (const std::exception& e) {
    // Only the exception's type: library messages may quote a request body, a token or a URL.
    spdlog::error("handler threw {} on {} {}", typeid(e).name(), request.method, pattern);
  } catch (...) {
    spdlog::error("handler threw a non-standard exception on {} {}", request.method, pattern);
  }
  return error_response(request.path, 500, "An internal error occurred.");
}

void Router::set_observer(Observer observer) { observer_ = std::move(observer); }

HttpResponse Router::handle(HttpRequest request) const {
  if (!observer_) {
    std::string_view route;
    return dispatch(std::move(request), route);
  }
  const auto started = std::chrono::steady_clock::now();
  std::string_view route = "(unmatched)";
  HttpRequest seen;  // the observer gets the method and path, not the body
  seen.method = request.method;
  seen.path = request.path;
  HttpResponse response = dispatch(std::move(request), route);
  observer_(seen, route, response, std::chrono::steady_clock::now() - started);
  return response;
}

HttpResponse Router::dispatch(HttpRequest request, std::string_view& route) const {
  const auto parts = split_path(request.path);
  const Route* best = nullptr;
  std::map<std::string, std::string> best_params;
  std::set<std::string> allowed;
  std::map<std::string, std::string> params;
  for (const Route& route : routes_) {
    if (!match(route, parts, params)) continue;
    if (route.method != request.method) {
      allowed.insert(route.method);
      continue;
    }
    if (best == nullptr || more_specific(route.segments, best->segments)) {
      best = &route;
      best_params = std::move(params);
    }
  }
  if (best == nullptr) {
    if (allowed.empty()) {
      if (fallback_) {
        route = "(fallback)";
        return call(fallback_, request, route);
      }
      return error_response(request.path, 404, "Unknown URL.");
    }
    HttpResponse response = error_response(request.path, 405, "Method not allowed.");
    std::string allow;
    for (const auto& method : allowed) allow += (allow.empty() ? "" : ", ") + method;
    response.headers.emplace_back("Allow", std::move(allow));
    return response;
  }
  request.path_params = std::move(best_params);
  route = best->pattern;
  return call(best->handler, request, best->pattern);
}

}  // namespace provisio::http
