#include "sync/projects.hpp"

#include <algorithm>
#include <cctype>
#include <charconv>

namespace provisio::sync {

Status validate_project_key(std::string_view key) {
  const bool chars_ok = std::all_of(key.begin(), key.end(), [](unsigned char c) {
    return std::isalnum(c) || c == '-' || c == '_' || c == '.' || c == ':';
  });
  const bool has_non_digit =
      std::any_of(key.begin(), key.end(), [](unsigned char c) { return !std::isdigit(c); });
  if (key.empty() || key.size() > 400 || !chars_ok || !has_non_digit) {
    return make_error(ErrorCode::kInvalidArgument,
                      "A project key is 1 to 400 letters, digits, '-', '_', '.' or ':', with at "
                      "least one non-digit.");
  }
  return {};
}

Result<Project> create_project(store::Store& store, const std::string& key, const std::string& name,
                               Visibility visibility, const std::string& who) {
  if (auto ok = validate_project_key(key); !ok) return tl::unexpected(ok.error());
  if (name.empty() || name.size() > 500) {
    return make_error(ErrorCode::kInvalidArgument, "A project name is 1 to 500 characters.");
  }
  Project p;
  p.key = key;
  p.name = name;
  p.visibility = visibility;
  auto created = store.create_project(p);
  if (!created) {
    if (created.error().code == ErrorCode::kAlreadyExists) {
      return make_error(ErrorCode::kAlreadyExists,
                        "A project with the key '" + key + "' already exists.");
    }
    return created;
  }
  AuditEntry a;
  a.actor = who;
  a.action = "project.create";
  a.entity_type = "project";
  a.entity = key;
  a.after = std::string(to_string(visibility));
  (void)store.append_audit({a});
  return created;
}

Result<Binding> bind_project(store::Store& store, const Clock& clock, const std::string& key,
                             const std::string& gitlab_project_id, const std::string& who) {
  std::int64_t id = 0;
  const auto [end, ec] = std::from_chars(gitlab_project_id.data(),
                                         gitlab_project_id.data() + gitlab_project_id.size(), id);
  if (ec != std::errc() || end != gitlab_project_id.data() + gitlab_project_id.size() || id < 1) {
    return make_error(ErrorCode::kInvalidArgument,
                      "Bind a project with the GitLab project's numeric id (Settings > General "
                      "in GitLab), not its path: '" +
                          gitlab_project_id + "' is not one.");
  }
  auto project = store.find_project_by_key(key);
  if (!project) return tl::unexpected(project.error());
  const std::optional<std::int64_t> before = project->gitlab_project_id;
  project->gitlab_project_id = id;
  if (auto saved = store.update_project(*project); !saved) return tl::unexpected(saved.error());
  AuditEntry a;
  a.at = clock.now();
  a.actor = who;
  a.action = "project.bind";
  a.entity_type = "project";
  a.entity = key;
  if (before) a.before = std::to_string(*before);
  a.after = std::to_string(id);
  (void)store.append_audit({a});
  Binding out{*project, std::nullopt};
  auto config = store.load_gitlab_config();
  if (config && *config && (*config)->enabled &&
      (*config)->provisioning_type == ProvisioningType::kAutoProvisioning) {
    Task t;
    t.type = TaskType::kGitlabProjectPermissionsProvisioning;
    t.project_id = project->id;
    // Read only that project's neighbourhood (sync/scoped_reader.hpp), not all of GitLab.
    t.scope = SyncScope{};
    t.scope->projects.insert(id);
    t.submitter = who;
    t.submitted_at = clock.now();
    auto queued = store.enqueue_task(t, /*only_if_idle=*/false);
    if (queued) out.queued_sync = *queued;
  }
  return out;
}

}  // namespace provisio::sync
