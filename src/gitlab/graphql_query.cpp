#include "gitlab/graphql_query.hpp"

#include <algorithm>
#include <charconv>
#include <string_view>

namespace provisio::gitlab::graphql {
namespace {

// The number after `marker` in `message`, if any.
std::optional<int> number_after(const std::string& message, std::string_view marker) {
  const auto at = message.find(marker);
  if (at == std::string::npos) return std::nullopt;
  int n = 0;
  const char* begin = message.data() + at + marker.size();
  const auto [end, ec] = std::from_chars(begin, message.data() + message.size(), n);
  if (ec != std::errc() || end == begin) return std::nullopt;
  return n;
}

}  // namespace

int Field::complexity() const {
  int child = 0;
  for (const Field& f : selections) child += f.complexity();
  if (kind == Kind::kPlain) return 1 + child;
  double c = child + 1 + (sorted ? 1 : 0);
  if (kind == Kind::kConnection) {
    const int limit = std::clamp(first, 0, kMaxPageSize);
    c += c * (limit * 0.01);
  }
  return static_cast<int>(c);
}

std::string Field::text() const {
  std::string out = alias.empty() ? name : alias + ": " + name;
  if (!arguments.empty()) out += "(" + arguments + ")";
  if (!selections.empty()) {
    out += " {";
    for (const Field& f : selections) out += " " + f.text();
    out += " }";
  }
  return out;
}

int Query::complexity() const {
  int total = 0;
  for (const Field& f : fields) total += f.complexity();
  return total;
}

std::string Query::text() const {
  std::string out = "query";
  if (!variables.empty()) out += "(" + variables + ")";
  out += " {";
  for (const Field& f : fields) out += " " + f.text();
  return out + " }";
}

std::optional<ComplexityRefusal> complexity_refusal(const std::string& message) {
  const auto limit = number_after(message, "exceeds max complexity of ");
  if (!limit) return std::nullopt;
  return ComplexityRefusal{number_after(message, "Query has complexity of ").value_or(0), *limit};
}

bool query_too_large(const Error& error) {
  // errors.cpp words it "GitLab answered 422 while reading <subject> (<url>)." (the subject may
  // hold numbers of its own, so only the start counts).
  return error.code == ErrorCode::kInvalidResponse &&
         error.message.rfind("GitLab answered 422 ", 0) == 0;
}

}  // namespace provisio::gitlab::graphql
