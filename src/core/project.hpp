#pragma once
// Projects (behaviour.md §1). A project may be bound to a GitLab project by its numeric id.

#include <cstdint>
#include <optional>
#include <string>

namespace provisio {

using ProjectId = std::int64_t;

enum class Visibility { kPublic, kPrivate };
std::string_view to_string(Visibility v);
std::optional<Visibility> parse_visibility(std::string_view s);

struct Project {
  ProjectId id = 0;
  std::string uuid;
  std::string key;  // unique
  std::string name;
  Visibility visibility = Visibility::kPublic;
  std::optional<std::int64_t> gitlab_project_id;  // a binding makes the project managed

  bool managed() const { return gitlab_project_id.has_value(); }
};

}  // namespace provisio
