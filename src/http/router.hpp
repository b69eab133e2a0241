#pragma once
// Routing as a plain table of {method, path pattern, handler}. A pattern is a path whose
// segments are literal or `{name}`; a `{name}` segment matches one non-empty segment and its
// decoded value lands in HttpRequest::path_params. When several patterns match a path, the one
// with a literal segment where the other has a parameter wins (checked from the left), so
// `/plan/current` beats `/plan/{id}` whatever the order of registration.
//
// Thread safety: build the table on one thread, then handle() may be called from any number of
// threads at once (it only reads the table; handlers must be thread-safe themselves).

#include <chrono>
#include <functional>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "http/http_types.hpp"

namespace provisio::http {

using Handler = std::function<HttpResponse(const HttpRequest&)>;

class Router {
 public:
  // REQUIRES: method is upper case; pattern starts with '/'. A later route with the same method
  // and pattern as an earlier one is never reached.
  void add(std::string method, std::string_view pattern, Handler handler);

  // Answers the paths that no route matches (any method) instead of the plain 404: the web
  // admin's files (static_files.hpp). Routes always win over it.
  void set_fallback(Handler handler);

  // Told of every answer with the route that produced it: the matched pattern (a template, never
  // the raw path, so ids stay out of metrics labels), "(fallback)" or "(unmatched)". Runs on the
  // handler's thread after the handler; must be thread-safe and must not throw.
  using Observer =
      std::function<void(const HttpRequest& request, std::string_view route,
                         const HttpResponse& response, std::chrono::steady_clock::duration took)>;
  void set_observer(Observer observer);

  // Finds the route and calls its handler. Unknown path -> the fallback, else 404; known path
  // with another method -> 405 with an Allow header; a handler that throws -> 500 with a generic
  // message (the exception's text may hold secrets, so it only goes to the log). Never throws.
  HttpResponse handle(HttpRequest request) const;

 private:
  struct Segment {
    std::string text;  // the literal, or the parameter's name
    bool is_param = false;
  };
  struct Route {
    std::string method;
    std::string pattern;
    std::vector<Segment> segments;
    Handler handler;
  };

  // Nothing matched when false; `params` holds the decoded parameters when true.
  static bool match(const Route& route, const std::vector<std::string_view>& parts,
                    std::map<std::string, std::string>& params);

  // Runs a handler, turning an exception into a 500. `pattern` names it in the log.
  static HttpResponse call(const Handler& handler, const HttpRequest& request,
                           std::string_view pattern);

  // handle() without the observer; `route` gets the name the observer is told.
  HttpResponse dispatch(HttpRequest request, std::string_view& route) const;

  std::vector<Route> routes_;
  Handler fallback_;
  Observer observer_;
};

}  // namespace provisio::http
