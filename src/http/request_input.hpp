#pragma once
// Reading a request's input without trusting it: v1 parameters (query string and form-encoded
// body), v2 JSON bodies (merge-patch: an absent field is unchanged), cookies and page
// parameters. Every refusal is a kInvalidArgument naming the parameter or field, so bad input is
// a 400 and never an exception. Pure functions of the request.

#include <cstdint>
#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "core/error.hpp"
#include "http/http_types.hpp"

namespace provisio::http {

// True when text is well-formed UTF-8.
bool valid_utf8(std::string_view text);

// How deep a request body's JSON may nest (objects and arrays): far more than any body of the API
// needs, and little enough that nothing that walks a document recursively can run out of stack.
inline constexpr int kMaxJsonDepth = 32;

// True when the arrays and objects of `text` nest deeper than `limit`, counted outside strings in
// one pass, without parsing: checked before any parser or recursive walk sees the body.
bool json_nested_deeper_than(std::string_view text, int limit);

// The value of cookie `name` in the Cookie header; nothing when absent.
std::optional<std::string> cookie(const HttpRequest& request, std::string_view name);

// v1 parameters: the query string, then a form-encoded body (whose values win). A body of any
// other type is refused, and so is a value that is not valid UTF-8.
class Params {
 public:
  static Result<Params> of(const HttpRequest& request);

  std::optional<std::string> get(std::string_view name) const;
  // kInvalidArgument "The parameter 'x' is missing." when absent or empty.
  Result<std::string> required(std::string_view name) const;
  // "true"/"false"; nothing when absent.
  Result<std::optional<bool>> boolean(std::string_view name) const;
  // A decimal integer within [min, max]; `fallback` when absent.
  Result<std::int64_t> integer(std::string_view name, std::int64_t fallback, std::int64_t min,
                               std::int64_t max) const;

 private:
  std::map<std::string, std::string, std::less<>> values_;
};

// A JSON object body, read field by field. Unknown fields are refused at parse time, so a typo
// never passes silently; so is a body nested deeper than kMaxJsonDepth. Nested objects are named
// "outer.inner" in messages.
class JsonFields {
 public:
  static Result<JsonFields> parse(std::string_view body, const std::set<std::string>& allowed);

  bool has(std::string_view name) const;
  // A string field; with nullable, JSON null reads as "" (merge-patch: clear the value).
  Result<std::optional<std::string>> text(std::string_view name, bool nullable = false) const;
  Result<std::optional<bool>> flag(std::string_view name) const;
  Result<std::optional<std::vector<std::string>>> texts(std::string_view name) const;
  Result<std::optional<JsonFields>> object(std::string_view name,
                                           const std::set<std::string>& allowed) const;
  // kInvalidArgument "The field 'x' is required." when absent.
  Result<std::string> required_text(std::string_view name) const;

 private:
  JsonFields(nlohmann::json object, std::string prefix)
      : object_(std::move(object)), prefix_(std::move(prefix)) {}
  std::string field(std::string_view name) const { return prefix_ + std::string(name); }
  const nlohmann::json* find(std::string_view name) const;

  nlohmann::json object_;
  std::string prefix_;
};

struct PageRequest {
  int index = 1;  // 1-based
  int size = 50;
};

// v2 "pageIndex" and "pageSize" (1..max_size) from the query.
Result<PageRequest> v2_page(const HttpRequest& request, int default_size = 50, int max_size = 500);
// v1 "p" and "ps" (1..max_size).
Result<PageRequest> v1_page(const Params& params, int default_size = 100, int max_size = 500);

// A query flag of a v2 listing ("true"/"false"); nothing when absent.
Result<std::optional<bool>> query_flag(const HttpRequest& request, std::string_view name);

}  // namespace provisio::http
