// The readers of a request's input: v1 parameters (query and form-encoded body), v2 JSON bodies
// read field by field, the Cookie header, and the Set-Cookie lines we write. The input is
//
//   line 1: the Content-Type header
//   line 2: the Cookie header
//   line 3: the query string (after '?')
//   the rest: the body
//
// Checks, beyond "no crash, no sanitizer report": every refusal is a 400 whose answer is JSON;
// valid_utf8 agrees with the JSON library's own UTF-8 check; a body nested deeper than the limit
// is refused, saying so, before anything walks it; a parameter read as an integer is within its
// bounds; a cookie we set is read back as we wrote it.

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "fuzz_check.hpp"
#include "http/cookies.hpp"
#include "http/error_response.hpp"
#include "http/request_input.hpp"
#include "http/target.hpp"

namespace {

using namespace provisio;
using namespace provisio::http;
using fuzz::require;

std::string_view next_line(std::string_view& text) {
  const auto eol = text.find('\n');
  const std::string_view line = text.substr(0, eol);
  text = eol == std::string_view::npos ? std::string_view() : text.substr(eol + 1);
  return line;
}

void refused(const Error& e) {
  require(e.code == ErrorCode::kInvalidArgument, "bad input is kInvalidArgument");
  const HttpResponse r = error_response("/api/v2/x", e);
  require(r.status == 400 && nlohmann::json::accept(r.body), "a refusal is a 400 with JSON");
}

const std::set<std::string> kFields = {"name", "login", "email", "active", "groups", "scm", "a"};

void read_json(std::string_view body) {
  auto fields = JsonFields::parse(body, kFields);
  if (json_nested_deeper_than(body, kMaxJsonDepth)) {
    require(!fields && fields.error().message.find("nested") != std::string::npos,
            "a body nested past the limit is refused as such");
  }
  if (!fields) return refused(fields.error());
  for (const auto& name : kFields) {
    if (auto t = fields->text(name, true); !t) refused(t.error());
    if (auto t = fields->required_text(name); !t) refused(t.error());
    if (auto f = fields->flag(name); !f) refused(f.error());
    if (auto l = fields->texts(name); !l) refused(l.error());
    auto inner = fields->object(name, kFields);
    if (!inner) {
      refused(inner.error());
    } else if (*inner) {
      if (auto t = (*inner)->text("name"); !t) refused(t.error());
      if (auto l = (*inner)->texts("groups"); !l) refused(l.error());
    }
  }
}

void read_params(const HttpRequest& request) {
  auto params = Params::of(request);
  if (!params) return refused(params.error());
  for (const char* name : {"p", "ps", "q", "login", "selected"}) {
    (void)params->get(name);
    if (auto v = params->required(name); !v) refused(v.error());
    if (auto v = params->boolean(name); !v) refused(v.error());
    auto n = params->integer(name, 5, -3, 1'000);
    if (!n) {
      refused(n.error());
    } else {
      require(*n >= -3 && *n <= 1'000, "an integer parameter is within its bounds");
    }
  }
  if (auto page = v1_page(*params); page) {
    require(page->index >= 1 && page->size >= 1 && page->size <= 500, "a page is within bounds");
  }
}

void read_cookies(const HttpRequest& request, std::string_view cookie_header) {
  for (const char* name : {"session", "XSRF-TOKEN", ""}) {
    if (auto v = cookie(request, name)) require(v->find(';') == std::string::npos, "one cookie");
  }
  // A cookie we set, sent back alone, reads as we wrote it. Names and values here are the
  // server's own (tokens), never with ';', '=' or spaces.
  const auto eq = cookie_header.find('=');
  if (eq == std::string_view::npos) return;
  const std::string_view name = cookie_header.substr(0, eq);
  const std::string_view value = cookie_header.substr(eq + 1);
  if (name.empty() || name.find_first_of("; =") != std::string_view::npos ||
      value.find_first_of("; ") != std::string_view::npos) {
    return;
  }
  const std::string line = cookie_line(name, value, {.max_age_ms = 60'000});
  HttpRequest back;
  back.headers["cookie"] = line.substr(0, line.find(';'));
  const auto read = cookie(back, name);
  require(read && *read == value, "a cookie we set reads back as written");
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);
  const std::string_view content_type = next_line(text);
  const std::string_view cookie_header = next_line(text);
  const std::string_view query = next_line(text);
  const std::string_view body = text;

  require(valid_utf8(body) == fuzz::dumps(body), "valid_utf8 agrees with the JSON library");

  HttpRequest request;
  request.method = "POST";
  request.path = "/api/x";
  if (!content_type.empty()) request.headers["content-type"] = std::string(content_type);
  if (!cookie_header.empty()) request.headers["cookie"] = std::string(cookie_header);
  if (auto q = parse_query(query)) request.query = std::move(*q);
  request.body = std::string(body);

  read_params(request);
  read_json(body);
  read_cookies(request, cookie_header);
  if (auto page = v2_page(request); page) {
    require(page->index >= 1 && page->size >= 1 && page->size <= 500, "a page is within bounds");
  }
  return 0;
}
