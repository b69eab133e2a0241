#include "gitlab/graphql_query.hpp"

#include <algorithm>

namespace provisio::gitlab::graphql {

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

}  // namespace provisio::gitlab::graphql
