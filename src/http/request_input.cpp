#include "http/request_input.hpp"

#include <charconv>

#include "http/target.hpp"

namespace provisio::http {
namespace {

Error invalid(std::string message) {
  return Error{ErrorCode::kInvalidArgument, std::move(message)};
}

// U+FFFD, which replaces each malformed sequence before the JSON parser sees the body.
constexpr std::string_view kReplacement = "\xEF\xBF\xBD";

// The length of the well-formed UTF-8 sequence at text[i], or 0 (RFC 3629: no overlongs, no
// surrogates, nothing above U+10FFFF).
std::size_t sequence_length(std::string_view text, std::size_t i) {
  const auto byte = [&](std::size_t k) { return static_cast<unsigned char>(text[k]); };
  const unsigned char c = byte(i);
  if (c < 0x80) return 1;
  std::size_t n = 0;
  unsigned char lo = 0x80, hi = 0xBF;
  if (c >= 0xC2 && c <= 0xDF) {
    n = 2;
  } else if (c >= 0xE0 && c <= 0xEF) {
    n = 3;
    if (c == 0xE0) lo = 0xA0;
    if (c == 0xED) hi = 0x9F;
  } else if (c >= 0xF0 && c <= 0xF4) {
    n = 4;
    if (c == 0xF0) lo = 0x90;
    if (c == 0xF4) hi = 0x8F;
  } else {
    return 0;
  }
  if (i + n > text.size()) return 0;
  if (byte(i + 1) < lo || byte(i + 1) > hi) return 0;
  for (std::size_t k = 2; k < n; ++k) {
    if (byte(i + k) < 0x80 || byte(i + k) > 0xBF) return 0;
  }
  return n;
}

std::string replace_malformed(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (std::size_t i = 0; i < text.size();) {
    const std::size_t n = sequence_length(text, i);
    if (n == 0) {
      out += kReplacement;
      ++i;
    } else {
      out.append(text.substr(i, n));
      i += n;
    }
  }
  return out;
}

// The first field (dotted for nested objects) whose name or string value holds `what`.
std::optional<std::string> field_holding(const nlohmann::json& j, const std::string& prefix,
                                         std::string_view what) {
  const auto holds = [what](const std::string& s) { return s.find(what) != std::string::npos; };
  for (const auto& [key, value] : j.items()) {
    const std::string name = prefix + key;
    if (holds(key)) return name;
    if (value.is_string() && holds(value.get<std::string>())) return name;
    if (value.is_array()) {
      for (const auto& item : value) {
        if (item.is_string() && holds(item.get<std::string>())) return name;
      }
    }
    if (value.is_object()) {
      if (auto inner = field_holding(value, name + ".", what); inner) return inner;
    }
  }
  return std::nullopt;
}

// U+0000 is valid UTF-8, but PostgreSQL cannot store it in text and SOCI would cut the value
// short at it: refused everywhere, so both databases keep exactly what the caller sent.
constexpr std::string_view kNul("\0", 1);
std::string nul_refusal(const std::string& what) {
  return what + " holds a NUL character (U+0000), a control character that text here cannot hold.";
}

bool starts_with_ci(std::string_view text, std::string_view prefix) {
  if (text.size() < prefix.size()) return false;
  for (std::size_t i = 0; i < prefix.size(); ++i) {
    if (std::tolower(static_cast<unsigned char>(text[i])) != prefix[i]) return false;
  }
  return true;
}

Result<std::int64_t> parse_integer(std::string_view name, std::string_view text, std::int64_t min,
                                   std::int64_t max) {
  std::int64_t value = 0;
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc() || end != text.data() + text.size() || value < min || value > max) {
    return tl::unexpected(invalid("The parameter '" + std::string(name) +
                                  "' must be an integer from " + std::to_string(min) + " to " +
                                  std::to_string(max) + "."));
  }
  return value;
}

}  // namespace

bool json_nested_deeper_than(std::string_view text, int limit) {
  int depth = 0;
  bool in_string = false;
  bool escaped = false;
  for (const char c : text) {
    if (in_string) {
      if (escaped) {
        escaped = false;
      } else if (c == '\\') {
        escaped = true;
      } else if (c == '"') {
        in_string = false;
      }
      continue;
    }
    if (c == '"') {
      in_string = true;
    } else if (c == '{' || c == '[') {
      if (++depth > limit) return true;
    } else if (c == '}' || c == ']') {
      --depth;
    }
  }
  return false;
}

bool valid_utf8(std::string_view text) {
  for (std::size_t i = 0; i < text.size();) {
    const std::size_t n = sequence_length(text, i);
    if (n == 0) return false;
    i += n;
  }
  return true;
}

std::optional<std::string> cookie(const HttpRequest& request, std::string_view name) {
  const auto header = request.header("cookie");
  if (!header) return std::nullopt;
  std::string_view rest = *header;
  while (!rest.empty()) {
    const auto end = rest.find(';');
    std::string_view pair = rest.substr(0, end);
    rest = end == std::string_view::npos ? std::string_view() : rest.substr(end + 1);
    while (!pair.empty() && pair.front() == ' ') pair.remove_prefix(1);
    const auto eq = pair.find('=');
    if (eq == std::string_view::npos) continue;
    if (pair.substr(0, eq) == name) return std::string(pair.substr(eq + 1));
  }
  return std::nullopt;
}

Result<Params> Params::of(const HttpRequest& request) {
  Params out;
  for (const auto& [name, value] : request.query) out.values_[name] = value;
  if (!request.body.empty()) {
    const std::string_view type = request.header("content-type").value_or("");
    if (!type.empty() && !starts_with_ci(type, "application/x-www-form-urlencoded")) {
      return tl::unexpected(
          invalid("This endpoint takes form-encoded parameters "
                  "(application/x-www-form-urlencoded), not '" +
                  std::string(type.substr(0, 100)) + "'."));
    }
    auto form = parse_query(request.body);
    if (!form) return tl::unexpected(invalid("The form-encoded body is malformed."));
    for (auto& [name, value] : *form) out.values_[name] = std::move(value);
  }
  for (const auto& [name, value] : out.values_) {
    if (!valid_utf8(name)) return tl::unexpected(invalid("A parameter name is not valid UTF-8."));
    if (!valid_utf8(value)) {
      return tl::unexpected(invalid("The parameter '" + name + "' is not valid UTF-8."));
    }
    if (name.find(kNul) != std::string::npos || value.find(kNul) != std::string::npos) {
      return tl::unexpected(invalid(nul_refusal("The parameter '" + name + "'")));
    }
  }
  return out;
}

std::optional<std::string> Params::get(std::string_view name) const {
  const auto it = values_.find(name);
  if (it == values_.end()) return std::nullopt;
  return it->second;
}

Result<std::string> Params::required(std::string_view name) const {
  auto value = get(name);
  if (!value || value->empty()) {
    return tl::unexpected(invalid("The parameter '" + std::string(name) + "' is missing."));
  }
  return *value;
}

Result<std::optional<bool>> Params::boolean(std::string_view name) const {
  auto value = get(name);
  if (!value) return std::optional<bool>();
  if (*value == "true") return std::optional<bool>(true);
  if (*value == "false") return std::optional<bool>(false);
  return tl::unexpected(
      invalid("The parameter '" + std::string(name) + "' must be true or false."));
}

Result<std::int64_t> Params::integer(std::string_view name, std::int64_t fallback, std::int64_t min,
                                     std::int64_t max) const {
  auto value = get(name);
  if (!value) return fallback;
  return parse_integer(name, *value, min, max);
}

Result<JsonFields> JsonFields::parse(std::string_view body, const std::set<std::string>& allowed) {
  if (json_nested_deeper_than(body, kMaxJsonDepth)) {
    return tl::unexpected(invalid("The request body is nested deeper than " +
                                  std::to_string(kMaxJsonDepth) + " levels."));
  }
  const bool malformed_utf8 = !valid_utf8(body);
  const std::string text = malformed_utf8 ? replace_malformed(body) : std::string(body);
  auto json = nlohmann::json::parse(text, nullptr, /*allow_exceptions=*/false);
  if (json.is_discarded()) return tl::unexpected(invalid("The request body is not valid JSON."));
  if (!json.is_object()) return tl::unexpected(invalid("The request body must be a JSON object."));
  if (malformed_utf8) {
    auto field = field_holding(json, "", kReplacement);
    return tl::unexpected(invalid(field ? "The field '" + *field + "' is not valid UTF-8."
                                        : std::string("The request body is not valid UTF-8.")));
  }
  for (const auto& [key, value] : json.items()) {
    if (allowed.count(key) == 0) {
      return tl::unexpected(invalid("Unknown field '" + key + "'."));
    }
  }
  if (auto field = field_holding(json, "", kNul)) {
    return tl::unexpected(invalid(nul_refusal("The field '" + *field + "'")));
  }
  return JsonFields(std::move(json), "");
}

const nlohmann::json* JsonFields::find(std::string_view name) const {
  const auto it = object_.find(std::string(name));
  return it == object_.end() ? nullptr : &*it;
}

bool JsonFields::has(std::string_view name) const { return find(name) != nullptr; }

Result<std::optional<std::string>> JsonFields::text(std::string_view name, bool nullable) const {
  const nlohmann::json* value = find(name);
  if (value == nullptr) return std::optional<std::string>();
  if (nullable && value->is_null()) return std::optional<std::string>("");
  if (!value->is_string()) {
    return tl::unexpected(invalid("The field '" + field(name) + "' must be a string."));
  }
  return std::optional<std::string>(value->get<std::string>());
}

Result<std::string> JsonFields::required_text(std::string_view name) const {
  auto value = text(name);
  if (!value) return tl::unexpected(value.error());
  if (!*value) return tl::unexpected(invalid("The field '" + field(name) + "' is required."));
  return **value;
}

Result<std::optional<bool>> JsonFields::flag(std::string_view name) const {
  const nlohmann::json* value = find(name);
  if (value == nullptr) return std::optional<bool>();
  if (!value->is_boolean()) {
    return tl::unexpected(invalid("The field '" + field(name) + "' must be true or false."));
  }
  return std::optional<bool>(value->get<bool>());
}

Result<std::optional<std::vector<std::string>>> JsonFields::texts(std::string_view name) const {
  const nlohmann::json* value = find(name);
  using Out = std::optional<std::vector<std::string>>;
  if (value == nullptr) return Out();
  const Error wrong = invalid("The field '" + field(name) + "' must be a list of strings.");
  if (!value->is_array()) return tl::unexpected(wrong);
  std::vector<std::string> out;
  for (const auto& item : *value) {
    if (!item.is_string()) return tl::unexpected(wrong);
    out.push_back(item.get<std::string>());
  }
  return Out(std::move(out));
}

Result<std::optional<JsonFields>> JsonFields::object(std::string_view name,
                                                     const std::set<std::string>& allowed) const {
  const nlohmann::json* value = find(name);
  if (value == nullptr) return std::optional<JsonFields>();
  if (!value->is_object()) {
    return tl::unexpected(invalid("The field '" + field(name) + "' must be an object."));
  }
  for (const auto& [key, item] : value->items()) {
    if (allowed.count(key) == 0) {
      return tl::unexpected(invalid("Unknown field '" + field(name) + "." + key + "'."));
    }
  }
  return std::optional<JsonFields>(JsonFields(*value, field(name) + "."));
}

Result<PageRequest> v2_page(const HttpRequest& request, int default_size, int max_size) {
  PageRequest page{1, default_size};
  if (auto index = request.query_param("pageIndex")) {
    auto v = parse_integer("pageIndex", *index, 1, 1'000'000);
    if (!v) return tl::unexpected(v.error());
    page.index = static_cast<int>(*v);
  }
  if (auto size = request.query_param("pageSize")) {
    auto v = parse_integer("pageSize", *size, 1, max_size);
    if (!v) return tl::unexpected(v.error());
    page.size = static_cast<int>(*v);
  }
  return page;
}

Result<PageRequest> v1_page(const Params& params, int default_size, int max_size) {
  auto index = params.integer("p", 1, 1, 1'000'000);
  if (!index) return tl::unexpected(index.error());
  auto size = params.integer("ps", default_size, 1, max_size);
  if (!size) return tl::unexpected(size.error());
  return PageRequest{static_cast<int>(*index), static_cast<int>(*size)};
}

Result<std::optional<bool>> query_flag(const HttpRequest& request, std::string_view name) {
  auto value = request.query_param(name);
  if (!value) return std::optional<bool>();
  if (*value == "true") return std::optional<bool>(true);
  if (*value == "false") return std::optional<bool>(false);
  return tl::unexpected(
      invalid("The parameter '" + std::string(name) + "' must be true or false."));
}

}  // namespace provisio::http
