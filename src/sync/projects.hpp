#pragma once
// Projects and their GitLab binding, shared by the HTTP API and `provisio project`: a binding is
// the GitLab numeric project id (never a path) and queues the project's permission sync.

#include <optional>
#include <string>

#include "core/project.hpp"
#include "core/time.hpp"
#include "store/store.hpp"

namespace provisio::sync {

// A project key as SonarQube accepts it: 1-400 of letters, digits, '-', '_', '.', ':', with at
// least one non-digit.
Status validate_project_key(std::string_view key);

Result<Project> create_project(store::Store& store, const std::string& key, const std::string& name,
                               Visibility visibility, const std::string& who);

struct Binding {
  Project project;
  std::optional<Task> queued_sync;  // the project's permission sync
};

// Binds `key` to the GitLab project id given as text ("42"); a path is refused.
Result<Binding> bind_project(store::Store& store, const Clock& clock, const std::string& key,
                             const std::string& gitlab_project_id, const std::string& who);

}  // namespace provisio::sync
