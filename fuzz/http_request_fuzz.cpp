// Bytes from a client, as the server handles them: Beast's parser (a library, not ours), then
// our part on top of it: the request target split into path and query (target.hpp), the
// conversion to an HttpRequest (beast_request.hpp), and the router with every route of the Web
// API (the paths and methods of src/http/openapi.json, which a test keeps equal to the route
// table). Each route's handler reads the request the way the real handlers do (v1 parameters,
// pages, flags, cookies, a JSON body), so all of it runs on input no client would send. Checks
// that the router never throws, that a matched route gets exactly its parameters, decoded and
// non-empty, that a 405 names the allowed methods, that a method HTTP does not define for
// resources is answered 501 before routing (as the server does) and never becomes a label of the
// request metrics, and that a JSON body nested past the limit is refused before it is walked.

#include <boost/asio/buffer.hpp>
#include <boost/beast/http/parser.hpp>
#include <cstddef>
#include <cstdint>
#include <fstream>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "fuzz_check.hpp"
#include "http/beast_request.hpp"
#include "http/error_response.hpp"
#include "http/request_input.hpp"
#include "http/router.hpp"
#include "http/target.hpp"
#include "metrics/registry.hpp"

namespace {

using namespace provisio;
using namespace provisio::http;
using fuzz::require;

// The `{name}` segments of a route pattern.
std::set<std::string> param_names(const std::string& pattern) {
  std::set<std::string> out;
  for (std::size_t open = pattern.find('{'); open != std::string::npos;
       open = pattern.find('{', open + 1)) {
    out.insert(pattern.substr(open + 1, pattern.find('}', open) - open - 1));
  }
  return out;
}

// What a handler of the API does with its input before it reaches the store.
HttpResponse read_input(const HttpRequest& r, const std::string& pattern) {
  const auto names = param_names(pattern);
  require(r.path_params.size() == names.size(), "a route gets exactly its parameters");
  for (const auto& [name, value] : r.path_params) {
    require(names.count(name) == 1 && !value.empty(), "a parameter is named and not empty");
  }
  (void)cookie(r, "session");
  (void)cookie(r, "XSRF-TOKEN");
  (void)r.header("x-xsrf-token");
  if (pattern.rfind("/api/v2/", 0) == 0) {
    if (auto page = v2_page(r)) require(page->index >= 1 && page->size >= 1, "a page is positive");
    (void)query_flag(r, "active");
    if (r.method == "POST" || r.method == "PATCH") {
      auto fields = JsonFields::parse(r.body, {"name", "description", "login", "email", "active",
                                               "groups", "scm", "url", "token"});
      require(!fields || !json_nested_deeper_than(r.body, kMaxJsonDepth),
              "a body nested past the limit is refused");
      if (!fields) return error_response(r.path, fields.error());
      (void)fields->text("name", true);
      (void)fields->flag("active");
      (void)fields->texts("groups");
      (void)fields->object("scm", {"provider", "login"});
    }
  } else {
    auto params = Params::of(r);
    if (!params) return error_response(r.path, params.error());
    (void)v1_page(*params);
    (void)params->boolean("selected");
    (void)params->integer("p", 1, 1, 1'000'000);
  }
  return HttpResponse{};
}

Router make_router() {
  std::ifstream in(PROVISIO_OPENAPI_JSON);
  std::stringstream text;
  text << in.rdbuf();
  const auto doc = nlohmann::json::parse(text.str());
  Router router;
  for (const auto& [path, operations] : doc.at("paths").items()) {
    for (const auto& [method, operation] : operations.items()) {
      std::string upper = method;
      for (char& c : upper) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
      const std::string pattern = path;  // a structured binding cannot be captured
      router.add(upper, pattern,
                 [pattern](const HttpRequest& r) { return read_input(r, pattern); });
    }
  }
  router.set_fallback([](const HttpRequest&) { return HttpResponse{}; });
  return router;
}

const Router& router() {
  static const Router r = make_router();
  return r;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  namespace bhttp = boost::beast::http;
  bhttp::request_parser<bhttp::string_body> parser;
  parser.body_limit(std::size_t{1} << 20);
  parser.eager(true);
  boost::beast::error_code ec;
  std::size_t used = 0;
  while (!ec && !parser.is_done() && used < size) {
    const std::size_t n = parser.put(boost::asio::buffer(data + used, size - used), ec);
    if (n == 0) break;
    used += n;
  }
  // An incomplete request is one the server would wait for (or time out on): nothing to route.
  if (ec || !parser.is_done()) return 0;

  BeastRequest& request = parser.get();
  const std::string target(request.target());
  auto parsed = parse_target(target);
  if (!parsed) {
    const HttpResponse r = error_response(path_of(target), 400, "Malformed request target.");
    require(nlohmann::json::accept(r.body), "an error answer is JSON");
    return 0;
  }
  HttpRequest in = to_request(request, std::move(*parsed), "127.0.0.1");
  const std::string path = in.path;
  const std::string method = in.method;
  HttpResponse out;
  if (!is_known_method(method)) {
    // The server's answer, before any routing.
    out = error_response(path, 501, "This method is not implemented.");
  } else {
    try {
      out = router().handle(std::move(in));
    } catch (...) {
      require(false, "the router never throws");
    }
  }
  // What the server's route observer records: never a series for an unknown method.
  static metrics::Registry registry;
  registry.http_request(method, "(fuzz)", out.status, 0.0);
  require(
      is_known_method(method) || registry.value("provisio_http_requests_total",
                                                {{"method", method},
                                                 {"route", "(fuzz)"},
                                                 {"status", std::to_string(out.status)}}) == 0.0,
      "an unknown method is never a metrics label");
  if (out.status == 405) {
    bool allow = false;
    for (const auto& [name, value] : out.headers) allow |= name == "Allow" && !value.empty();
    require(allow, "a 405 names the allowed methods");
  }
  if (out.status >= 400) require(nlohmann::json::accept(out.body), "an error answer is JSON");
  return 0;
}
