#include "sync/explain.hpp"

#include <algorithm>
#include <charconv>

#include "core/random.hpp"
#include "gitlab/client.hpp"
#include "sync/neighbourhood.hpp"
#include "sync/provisioning_client.hpp"
#include "sync/snapshot_reader.hpp"

namespace provisio::sync {
namespace {

std::optional<gl::Id> to_id(const std::optional<std::string>& text) {
  if (!text) return std::nullopt;
  gl::Id id = 0;
  const auto [end, ec] = std::from_chars(text->data(), text->data() + text->size(), id);
  if (ec != std::errc() || end != text->data() + text->size()) return std::nullopt;
  return id;
}

Error not_found(std::string message) { return Error{ErrorCode::kNotFound, std::move(message)}; }

}  // namespace

Explainer::Explainer(store::Store& store, TransportFactory transports, const Clock& clock,
                     ProvisioningRules rules, gitlab::EngineOptions engine)
    : store_(store),
      transports_(std::move(transports)),
      clock_(clock),
      rules_(rules),
      engine_(engine) {}

Result<Explanation> Explainer::explain(const ExplainRequest& request) {
  if (request.project_key.has_value() == request.group.has_value()) {
    return make_error(ErrorCode::kInvalidArgument,
                      "Give either a project key (projectKey) or a group (group), not both.");
  }
  auto user = store_.find_user_by_login(request.login);
  if (!user) {
    if (user.error().code == ErrorCode::kNotFound) {
      return tl::unexpected(not_found("There is no user with the login '" + request.login + "'."));
    }
    return tl::unexpected(user.error());
  }
  Explanation out;
  out.login = user->login;
  out.project_key = request.project_key;
  out.group = request.group;
  if (user->external_provider == ExternalProvider::kGitlab) {
    out.gitlab_user_id = to_id(user->external_id);
    out.gitlab_username = user->external_login;
  }
  return request.project_key ? explain_project(*user, std::move(out))
                             : explain_group(*user, std::move(out));
}

Result<std::optional<GitlabConfig>> Explainer::gitlab_config(const User& user, Explanation& out) {
  if (!user.active) {
    out.reasons.push_back("'" + user.login +
                          "' is deactivated: a deactivated user holds no permission and belongs "
                          "to no group.");
    return std::optional<GitlabConfig>();
  }
  auto config = store_.load_gitlab_config();
  if (!config) return tl::unexpected(config.error());
  const bool automatic = *config && (*config)->enabled &&
                         (*config)->provisioning_type == ProvisioningType::kAutoProvisioning;
  if (!automatic) {
    out.reasons.push_back(
        "Automatic provisioning is off, so GitLab grants nothing here: only what was granted by "
        "hand applies.");
    return std::optional<GitlabConfig>();
  }
  if (!out.gitlab_user_id) {
    out.reasons.push_back("'" + user.login +
                          "' is a local user, not provisioned from GitLab: only what was granted "
                          "by hand applies.");
    return std::optional<GitlabConfig>();
  }
  if (!(*config)->provisioning_token) {
    out.reasons.push_back("No provisioning token is set, so GitLab cannot be read.");
    return std::optional<GitlabConfig>();
  }
  return *config;
}

Result<Explanation> Explainer::explain_project(const User& user, Explanation out) {
  auto project = store_.find_project_by_key(*out.project_key);
  if (!project) {
    if (project.error().code == ErrorCode::kNotFound) {
      return tl::unexpected(
          not_found("There is no project with the key '" + *out.project_key + "'."));
    }
    return tl::unexpected(project.error());
  }
  auto grants = store_.grants(project->id);
  if (!grants) return tl::unexpected(grants.error());
  auto groups = store_.user_groups(user.id);
  if (!groups) return tl::unexpected(groups.error());
  std::vector<explain::LocalGrant> local;
  for (const PermissionGrant& g : *grants) {
    if (g.user_id && *g.user_id == user.id) {
      local.push_back({g.permission, std::nullopt});
    } else if (g.group_id &&
               std::find(groups->begin(), groups->end(), *g.group_id) != groups->end()) {
      auto group = store_.get_group(*g.group_id);
      if (!group) return tl::unexpected(group.error());
      local.push_back({g.permission, group->name});
    }
  }
  std::optional<explain::GitlabVerdict> verdict;
  auto config = gitlab_config(user, out);
  if (!config) return tl::unexpected(config.error());
  if (*config && !project->gitlab_project_id) {
    out.reasons.push_back("The project '" + project->key +
                          "' is not bound to a GitLab project: its permissions are granted by "
                          "hand.");
  } else if (*config) {
    const GitlabConfig& c = **config;
    out.gitlab_source_id = *project->gitlab_project_id;
    auto transport = transports_();
    SeededRandom jitter;
    gitlab::Client client(provisioning_client_options(c, engine_), *transport, jitter);
    auto s = read_project_neighbourhood(client, *project->gitlab_project_id, *out.gitlab_user_id,
                                        {c.allowed_groups.begin(), c.allowed_groups.end()},
                                        date_of(clock_.now()));
    out.gitlab_requests = client.counters().total_requests();
    if (!s) {
      if (s.error().code != ErrorCode::kNotFound || client.counters().total_requests() > 1) {
        return tl::unexpected(s.error());
      }
      out.reasons.push_back("The GitLab project " + std::to_string(*project->gitlab_project_id) +
                            " that '" + project->key +
                            "' is bound to does not exist, or the provisioning token cannot see "
                            "it: the synchronization leaves its permissions as they are.");
    } else {
      const gl::Project& p = s->projects.at(*project->gitlab_project_id);
      out.gitlab_path = p.path_with_namespace;
      auto mappings = store_.role_mappings();
      if (!mappings) return tl::unexpected(mappings.error());
      verdict = explain::project_verdict(
          *s, p, *out.gitlab_user_id, out.gitlab_username.value_or(user.login), *mappings, rules_);
      if (verdict->reason) out.reasons.push_back(*verdict->reason);
    }
  }
  out.gitlab = verdict;
  out.permissions = explain::permission_lines(verdict, local, user.managed);
  if (out.permissions.empty() && out.reasons.empty()) {
    out.reasons.push_back("'" + user.login + "' holds no permission on '" + project->key + "'.");
  }
  return out;
}

Result<Explanation> Explainer::explain_group(const User& user, Explanation out) {
  auto group = store_.find_group_by_name(*out.group);
  if (!group) {
    if (group.error().code == ErrorCode::kNotFound) {
      return tl::unexpected(not_found("There is no group named '" + *out.group +
                                      "' (a group mirrored from GitLab is named by its full "
                                      "path, e.g. acme/backend)."));
    }
    return tl::unexpected(group.error());
  }
  auto groups = store_.user_groups(user.id);
  if (!groups) return tl::unexpected(groups.error());
  out.member = std::find(groups->begin(), groups->end(), group->id) != groups->end();
  if (group->is_default) {
    out.reasons.push_back("'" + group->name +
                          "' is the default group: every active user belongs to it.");
    return out;
  }
  if (!group->managed || !group->external_id) {
    out.reasons.push_back("'" + group->name +
                          "' is a local group, not mirrored from GitLab: its members are added "
                          "by hand.");
    return out;
  }
  auto config = gitlab_config(user, out);
  if (!config) return tl::unexpected(config.error());
  if (!*config) return out;
  const GitlabConfig& c = **config;
  out.gitlab_source_id = to_id(group->external_id);
  auto transport = transports_();
  SeededRandom jitter;
  gitlab::Client client(provisioning_client_options(c, engine_), *transport, jitter);
  auto s = read_group_neighbourhood(client, *group->external_id, *out.gitlab_user_id,
                                    {c.allowed_groups.begin(), c.allowed_groups.end()},
                                    date_of(clock_.now()));
  out.gitlab_requests = client.counters().total_requests();
  if (!s) {
    if (s.error().code != ErrorCode::kNotFound || client.counters().total_requests() > 1) {
      return tl::unexpected(s.error());
    }
    out.reasons.push_back("The GitLab group that '" + group->name +
                          "' mirrors no longer exists, or the provisioning token cannot see it: "
                          "the next synchronization deletes this group.");
    return out;
  }
  const gl::Id id = *out.gitlab_source_id;
  if (const auto it = s->groups.find(id); it != s->groups.end())
    out.gitlab_path = it->second.full_path;
  auto verdict = explain::group_verdict(*s, id, *out.gitlab_user_id,
                                        out.gitlab_username.value_or(user.login), rules_);
  out.member_from_gitlab = !verdict.reason;
  if (verdict.reason) out.reasons.push_back(*verdict.reason);
  out.gitlab = std::move(verdict);
  return out;
}

}  // namespace provisio::sync
