#pragma once
// Reading GraphQL answers without exceptions: a key of an object, or null when the value is not
// an object or has no such key (nlohmann's value() throws on a null), so any answer, however
// malformed, reads as "missing" rather than crashing the read.

#include <nlohmann/json.hpp>
#include <string>
#include <string_view>

namespace provisio::gitlab::graphql {

inline const nlohmann::json& at(const nlohmann::json& j, std::string_view key) {
  static const nlohmann::json kNull;
  if (!j.is_object()) return kNull;
  const auto it = j.find(key);
  return it == j.end() ? kNull : *it;
}

inline std::string string_at(const nlohmann::json& j, std::string_view key,
                             std::string fallback = {}) {
  const nlohmann::json& v = at(j, key);
  if (v.is_string()) return v.get<std::string>();
  return fallback;
}

inline bool bool_at(const nlohmann::json& j, std::string_view key, bool fallback) {
  const nlohmann::json& v = at(j, key);
  return v.is_boolean() ? v.get<bool>() : fallback;
}

}  // namespace provisio::gitlab::graphql
