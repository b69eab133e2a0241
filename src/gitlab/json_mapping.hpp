#pragma once
// GitLab JSON -> the core's GitLab types. Tolerant of missing optional fields (email,
// member_role, expires_at, ...); strict about the ones the rules need (id, access_level):
// a missing required field is kInvalidResponse naming it.

#include <nlohmann/json.hpp>

#include "core/error.hpp"
#include "core/gitlab_types.hpp"

namespace provisio::gitlab {

Result<gl::User> to_user(const nlohmann::json& j);
Result<gl::Member> to_member(const nlohmann::json& j);
Result<gl::Group> to_group(const nlohmann::json& j);
Result<gl::Project> to_project(const nlohmann::json& j);
Result<gl::CustomRole> to_custom_role(const nlohmann::json& j);
Result<gl::TokenInfo> to_token_info(const nlohmann::json& j);

// Applies `one` to every element of a JSON array.
template <typename T>
Result<std::vector<T>> to_list(const std::vector<nlohmann::json>& items,
                               Result<T> (*one)(const nlohmann::json&)) {
  std::vector<T> out;
  out.reserve(items.size());
  for (const auto& item : items) {
    auto v = one(item);
    if (!v) return tl::unexpected(v.error());
    out.push_back(std::move(*v));
  }
  return out;
}

}  // namespace provisio::gitlab
