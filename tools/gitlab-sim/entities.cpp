#include "entities.hpp"

namespace provisio::sim {
namespace {

std::string avatar(const RenderContext& ctx, std::string_view kind, Id id) {
  return ctx.base_url + "/uploads/-/system/" + std::string(kind) + "/avatar/" + std::to_string(id) +
         "/avatar.png";
}

ordered_json optional_string(const std::optional<std::string>& value) {
  return value ? ordered_json(*value) : ordered_json(nullptr);
}

ordered_json optional_id(const std::optional<Id>& value) {
  return value ? ordered_json(*value) : ordered_json(nullptr);
}

std::string day_of(const std::string& timestamp) { return timestamp.substr(0, 10); }

ordered_json user_identity(const RenderContext& ctx, const User& user) {
  return {{"id", user.id},
          {"username", user.username},
          {"name", user.name},
          {"state", user.state},
          {"avatar_url", avatar(ctx, "user", user.id)},
          {"web_url", ctx.base_url + "/" + user.username}};
}

ordered_json shares_of(const RenderContext& ctx, std::vector<std::pair<Id, const GroupShare*>> in) {
  ordered_json out = ordered_json::array();
  for (const auto& [group_id, share] : in) {
    const Group* g = ctx.world.group(group_id);
    if (g == nullptr || !can_see_group(ctx.world, ctx.viewer, *g, ctx.today)) continue;
    out.push_back({{"group_id", g->id},
                   {"group_name", g->name},
                   {"group_full_path", g->full_path},
                   {"group_access_level", share->group_access_level},
                   {"expires_at", optional_string(share->expires_at)}});
  }
  return out;
}

ordered_json project_shares(const RenderContext& ctx, const Project& project) {
  ordered_json out = ordered_json::array();
  for (const ProjectShare* share : ctx.world.shares_of_project(project.id)) {
    const Group* g = ctx.world.group(share->group_id);
    if (g == nullptr || !can_see_group(ctx.world, ctx.viewer, *g, ctx.today)) continue;
    out.push_back({{"group_id", g->id},
                   {"group_name", g->name},
                   {"group_full_path", g->full_path},
                   {"group_access_level", share->group_access_level},
                   {"expires_at", optional_string(share->expires_at)}});
  }
  return out;
}

std::string repo_url_ssh(const RenderContext& ctx, const Project& p) {
  std::string host = ctx.base_url.substr(ctx.base_url.find("//") + 2);
  host = host.substr(0, host.find(':'));
  return "git@" + host + ":" + p.path_with_namespace + ".git";
}

}  // namespace

ordered_json namespace_json(const RenderContext& ctx, const Group& group, bool full) {
  ordered_json out{{"id", group.id}, {"name", group.name}, {"path", group.path}, {"kind", "group"}};
  if (full) {
    out["full_path"] = group.full_path;
    out["parent_id"] = optional_id(group.parent_id);
    out["avatar_url"] = nullptr;
    out["web_url"] = ctx.base_url + "/groups/" + group.full_path;
  }
  return out;
}

ordered_json user_basic(const RenderContext& ctx, const User& user) {
  return {{"id", user.id},
          {"username", user.username},
          {"name", user.name},
          {"state", user.state},
          {"locked", false},
          {"avatar_url", avatar(ctx, "user", user.id)},
          {"web_url", ctx.base_url + "/" + user.username}};
}

ordered_json user_public(const RenderContext& ctx, const User& user) {
  ordered_json out = user_basic(ctx, user);
  out["created_at"] = user.created_at;
  out["bio"] = "";
  out["bot"] = user.bot;
  out["location"] = nullptr;
  out["public_email"] = user.public_email;
  for (const char* key :
       {"linkedin", "twitter", "discord", "github", "website_url", "organization", "job_title"}) {
    out[key] = "";
  }
  out["pronouns"] = nullptr;
  out["work_information"] = nullptr;
  out["followers"] = 0;
  out["following"] = 0;
  out["local_time"] = nullptr;
  out["is_followed"] = false;
  return out;
}

namespace {
// The keys a user sees of their own account (and admins of anyone's), after `work_information`.
void add_private_keys(ordered_json& out, const User& user) {
  out["followers"] = 0;
  out["following"] = 0;
  out["local_time"] = nullptr;
  out["last_sign_in_at"] = user.created_at;
  out["confirmed_at"] = user.created_at;
  out["theme_id"] = 1;
  out["last_activity_on"] = day_of(user.created_at);
  out["color_scheme_id"] = 1;
  out["projects_limit"] = 100000;
  out["current_sign_in_at"] = user.created_at;
}
}  // namespace

ordered_json user_admin(const RenderContext& ctx, const User& user) {
  ordered_json out{{"id", user.id},
                   {"username", user.username},
                   {"email", user.email},
                   {"name", user.name},
                   {"state", user.state},
                   {"locked", false},
                   {"avatar_url", avatar(ctx, "user", user.id)},
                   {"web_url", ctx.base_url + "/" + user.username},
                   {"created_at", user.created_at},
                   {"is_admin", user.is_admin},
                   {"bio", ""},
                   {"location", nullptr},
                   {"public_email", user.public_email}};
  for (const char* key :
       {"linkedin", "twitter", "discord", "github", "website_url", "organization", "job_title"}) {
    out[key] = "";
  }
  out["pronouns"] = nullptr;
  out["bot"] = user.bot;
  out["work_information"] = nullptr;
  add_private_keys(out, user);
  out["note"] = nullptr;
  out["identities"] = ordered_json::array();
  out["can_create_group"] = true;
  out["can_create_project"] = true;
  out["two_factor_enabled"] = false;
  out["external"] = false;
  out["private_profile"] = false;
  out["commit_email"] = user.email;
  out["current_sign_in_ip"] = "127.0.0.1";
  out["last_sign_in_ip"] = "127.0.0.1";
  out["plan"] = "default";
  out["trial"] = false;
  out["sign_in_count"] = 1;
  out["namespace_id"] = user.id;
  out["created_by"] = nullptr;
  out["email_reset_offered_at"] = nullptr;
  return out;
}

ordered_json user_self(const RenderContext& ctx, const User& user) {
  if (user.is_admin) return user_admin(ctx, user);
  ordered_json out{{"id", user.id},
                   {"username", user.username},
                   {"email", user.email},
                   {"name", user.name},
                   {"state", user.state},
                   {"locked", false},
                   {"avatar_url", avatar(ctx, "user", user.id)},
                   {"web_url", ctx.base_url + "/" + user.username},
                   {"created_at", user.created_at},
                   {"bio", ""},
                   {"location", nullptr},
                   {"public_email", user.public_email}};
  for (const char* key :
       {"linkedin", "twitter", "discord", "github", "website_url", "organization", "job_title"}) {
    out[key] = "";
  }
  out["pronouns"] = nullptr;
  out["bot"] = user.bot;
  out["work_information"] = nullptr;
  add_private_keys(out, user);
  out["identities"] = ordered_json::array();
  out["can_create_group"] = true;
  out["can_create_project"] = true;
  out["two_factor_enabled"] = false;
  out["external"] = false;
  out["private_profile"] = false;
  out["commit_email"] = user.email;
  return out;
}

ordered_json member_json(const RenderContext& ctx, const User& user, const Member& membership,
                         int access_level, bool show_member_role) {
  ordered_json out = user_identity(ctx, user);
  out["created_at"] = membership.created_at;
  if (membership.created_by) {
    if (const User* creator = ctx.world.user(*membership.created_by)) {
      out["created_by"] = user_identity(ctx, *creator);
    }
  }
  out["expires_at"] = optional_string(membership.expires_at);
  out["access_level"] = access_level;
  if (ctx.admin) out["email"] = user.email;
  out["group_saml_identity"] = nullptr;
  if (show_member_role && membership.member_role_id) {
    if (const CustomRole* role = ctx.world.custom_role(*membership.member_role_id)) {
      out["member_role"] = custom_role_json(*role);
    }
  }
  return out;
}

ordered_json group_list_json(const RenderContext& ctx, const Group& group) {
  ordered_json out{{"id", group.id},
                   {"name", group.name},
                   {"path", group.path},
                   {"description", group.description},
                   {"visibility", group.visibility},
                   {"share_with_group_lock", false},
                   {"require_two_factor_authentication", false},
                   {"two_factor_grace_period", 48},
                   {"project_creation_level", "developer"},
                   {"auto_devops_enabled", nullptr},
                   {"subgroup_creation_level", "owner"},
                   {"emails_disabled", nullptr},
                   {"emails_enabled", nullptr},
                   {"mentions_disabled", nullptr},
                   {"lfs_enabled", true},
                   {"default_branch", nullptr},
                   {"default_branch_protection", 2},
                   {"default_branch_protection_defaults",
                    {{"allowed_to_push", {{{"access_level", 40}}}},
                     {"allow_force_push", false},
                     {"allowed_to_merge", {{{"access_level", 40}}}}}},
                   {"avatar_url", nullptr},
                   {"web_url", ctx.base_url + "/groups/" + group.full_path},
                   {"request_access_enabled", false}};
  if (ctx.admin) out["repository_storage"] = "default";
  out["full_name"] = group.full_name;
  out["full_path"] = group.full_path;
  out["file_template_project_id"] = nullptr;
  out["parent_id"] = optional_id(group.parent_id);
  out["created_at"] = group.created_at;
  return out;
}

ordered_json group_detail_json(const RenderContext& ctx, const Group& group, bool show_owner_keys,
                               const std::vector<const Project*>* projects,
                               const std::vector<const Project*>* shared_projects) {
  ordered_json out{{"id", group.id},
                   {"name", group.name},
                   {"path", group.path},
                   {"description", group.description},
                   {"visibility", group.visibility},
                   {"avatar_url", nullptr},
                   {"web_url", ctx.base_url + "/groups/" + group.full_path},
                   {"request_access_enabled", false}};
  if (ctx.admin) out["repository_storage"] = "default";
  out["full_name"] = group.full_name;
  out["full_path"] = group.full_path;
  if (show_owner_keys) out["runners_token"] = "GR1348941sim" + std::to_string(group.id);
  out["file_template_project_id"] = nullptr;
  out["parent_id"] = optional_id(group.parent_id);
  out["enabled_git_access_protocol"] = "all";
  out["created_at"] = group.created_at;
  std::vector<std::pair<Id, const GroupShare*>> invited;
  for (const GroupShare* share : ctx.world.shares_into_group(group.id)) {
    invited.emplace_back(share->invited_group_id, share);
  }
  out["shared_with_groups"] = shares_of(ctx, invited);
  if (!group.parent_id) out["prevent_sharing_groups_outside_hierarchy"] = false;
  if (projects) {
    out["projects"] = ordered_json::array();
    for (const Project* p : *projects) out["projects"].push_back(project_list_json(ctx, *p));
  }
  if (shared_projects) {
    out["shared_projects"] = ordered_json::array();
    for (const Project* p : *shared_projects) {
      out["shared_projects"].push_back(project_list_json(ctx, *p));
    }
  }
  out["ip_restriction_ranges"] = nullptr;
  out["math_rendering_limits_enabled"] = true;
  out["lock_math_rendering_limits_enabled"] = false;
  return out;
}

ordered_json project_list_json(const RenderContext& ctx, const Project& p) {
  const Group* ns = ctx.world.group(p.namespace_id);
  const std::string web = ctx.base_url + "/" + p.path_with_namespace;
  return {{"id", p.id},
          {"description", p.description},
          {"default_branch", "main"},
          {"tag_list", ordered_json::array()},
          {"topics", ordered_json::array()},
          {"archived", p.archived},
          {"visibility", p.visibility},
          {"ssh_url_to_repo", repo_url_ssh(ctx, p)},
          {"http_url_to_repo", web + ".git"},
          {"web_url", web},
          {"name", p.name},
          {"name_with_namespace", p.name_with_namespace},
          {"path", p.path},
          {"path_with_namespace", p.path_with_namespace},
          {"issues_enabled", true},
          {"merge_requests_enabled", true},
          {"wiki_enabled", true},
          {"jobs_enabled", true},
          {"snippets_enabled", true},
          {"container_registry_enabled", false},
          {"created_at", p.created_at},
          {"last_activity_at", p.created_at},
          {"shared_runners_enabled", true},
          {"creator_id", 1},
          {"namespace", ns ? namespace_json(ctx, *ns, false) : ordered_json(nullptr)},
          {"avatar_url", nullptr},
          {"star_count", 0},
          {"forks_count", 0},
          {"open_issues_count", 0},
          {"public_jobs", true},
          {"shared_with_groups", project_shares(ctx, p)},
          {"request_access_enabled", false}};
}

ordered_json project_simple_json(const RenderContext& ctx, const Project& p) {
  const Group* ns = ctx.world.group(p.namespace_id);
  const std::string web = ctx.base_url + "/" + p.path_with_namespace;
  return {{"id", p.id},
          {"description", p.description},
          {"name", p.name},
          {"name_with_namespace", p.name_with_namespace},
          {"path", p.path},
          {"path_with_namespace", p.path_with_namespace},
          {"created_at", p.created_at},
          {"default_branch", "main"},
          {"tag_list", ordered_json::array()},
          {"topics", ordered_json::array()},
          {"ssh_url_to_repo", repo_url_ssh(ctx, p)},
          {"http_url_to_repo", web + ".git"},
          {"web_url", web},
          {"readme_url", web + "/-/blob/main/README.md"},
          {"forks_count", 0},
          {"avatar_url", nullptr},
          {"star_count", 0},
          {"last_activity_at", p.created_at},
          {"namespace", ns ? namespace_json(ctx, *ns, true) : ordered_json(nullptr)}};
}

ordered_json project_detail_json(const RenderContext& ctx, const Project& p, int project_access,
                                 int group_access, bool license, bool statistics) {
  const Group* ns = ctx.world.group(p.namespace_id);
  const std::string web = ctx.base_url + "/" + p.path_with_namespace;
  const std::string api = ctx.base_url + "/api/v4/projects/" + std::to_string(p.id);
  const auto access = [](int level) {
    return level > 0 ? ordered_json{{"access_level", level}, {"notification_level", 3}}
                     : ordered_json(nullptr);
  };
  ordered_json out{
      {"id", p.id},
      {"description", p.description},
      {"description_html", "<p dir=\"auto\">" + p.description + "</p>"},
      {"default_branch", "main"},
      {"visibility", p.visibility},
      {"ssh_url_to_repo", repo_url_ssh(ctx, p)},
      {"http_url_to_repo", web + ".git"},
      {"web_url", web},
      {"readme_url", web + "/-/blob/main/README.md"},
      {"tag_list", ordered_json::array()},
      {"topics", ordered_json::array()},
      {"name", p.name},
      {"name_with_namespace", p.name_with_namespace},
      {"path", p.path},
      {"path_with_namespace", p.path_with_namespace},
      {"issues_enabled", true},
      {"open_issues_count", 0},
      {"merge_requests_enabled", true},
      {"jobs_enabled", true},
      {"wiki_enabled", true},
      {"snippets_enabled", true},
      {"can_create_merge_request_in", project_access >= kDeveloper || group_access >= kDeveloper},
      {"resolve_outdated_diff_discussions", false},
      {"container_registry_enabled", false},
      {"container_registry_access_level", "disabled"},
      {"security_and_compliance_access_level", "private"},
      {"container_expiration_policy",
       {{"cadence", "1d"},
        {"enabled", false},
        {"keep_n", nullptr},
        {"older_than", nullptr},
        {"name_regex", nullptr},
        {"name_regex_delete", nullptr},
        {"name_regex_keep", nullptr},
        {"next_run_at", p.created_at}}},
      {"created_at", p.created_at},
      {"updated_at", p.created_at},
      {"last_activity_at", p.created_at},
      {"creator_id", 1},
      {"namespace", ns ? namespace_json(ctx, *ns, true) : ordered_json(nullptr)},
      {"import_url", nullptr},
      {"import_type", nullptr},
      {"import_status", "none"},
      {"import_error", nullptr},
      {"permissions",
       {{"project_access", access(project_access)}, {"group_access", access(group_access)}}},
      {"archived", p.archived},
      {"avatar_url", nullptr}};
  if (license) {
    out["license_url"] = nullptr;
    out["license"] = nullptr;
  }
  out["shared_runners_enabled"] = true;
  out["group_runners_enabled"] = true;
  out["forks_count"] = 0;
  out["star_count"] = 0;
  out["runners_token"] = "GR1348941simp" + std::to_string(p.id);
  out["ci_default_git_depth"] = 20;
  out["ci_forward_deployment_enabled"] = true;
  out["ci_forward_deployment_rollback_allowed"] = true;
  out["ci_allow_fork_pipelines_to_run_in_parent_project"] = true;
  out["ci_id_token_sub_claim_components"] = {"project_path", "ref_type", "ref"};
  out["ci_separated_caches"] = true;
  out["ci_restrict_pipeline_cancellation_role"] = "developer";
  out["ci_pipeline_variables_minimum_override_role"] = "developer";
  out["ci_push_repository_for_job_token_allowed"] = false;
  out["public_jobs"] = true;
  out["shared_with_groups"] = project_shares(ctx, p);
  out["repository_storage"] = "default";
  for (const char* key :
       {"only_allow_merge_if_pipeline_succeeds", "allow_merge_on_skipped_pipeline",
        "allow_pipeline_trigger_approve_deployment", "restrict_user_defined_variables",
        "only_allow_merge_if_all_discussions_are_resolved", "remove_source_branch_after_merge"}) {
    out[key] = false;
  }
  out["printing_merge_requests_link_enabled"] = true;
  out["request_access_enabled"] = false;
  out["merge_method"] = "merge";
  out["squash_option"] = "default_off";
  out["auto_devops_enabled"] = false;
  out["auto_devops_deploy_strategy"] = "continuous";
  out["approvals_before_merge"] = 0;
  out["mirror"] = false;
  out["mirror_user_id"] = nullptr;
  out["mirror_trigger_builds"] = false;
  out["only_mirror_protected_branches"] = false;
  out["mirror_overwrites_diverged_branches"] = false;
  out["external_authorization_classification_label"] = nullptr;
  out["packages_enabled"] = true;
  out["service_desk_enabled"] = false;
  out["service_desk_address"] = nullptr;
  out["autoclose_referenced_issues"] = true;
  out["suggestion_commit_message"] = nullptr;
  out["enforce_auth_checks_on_uploads"] = true;
  out["merge_commit_template"] = nullptr;
  out["squash_commit_template"] = nullptr;
  out["issue_branch_template"] = nullptr;
  out["marked_for_deletion_at"] = nullptr;
  out["marked_for_deletion_on"] = nullptr;
  out["compliance_frameworks"] = ordered_json::array();
  out["warn_about_potentially_unwanted_characters"] = true;
  out["secret_push_protection_enabled"] = false;
  if (statistics) {
    out["statistics"] = {{"commit_count", 0},
                         {"storage_size", 0},
                         {"repository_size", 0},
                         {"wiki_size", 0},
                         {"lfs_objects_size", 0},
                         {"job_artifacts_size", 0},
                         {"pipeline_artifacts_size", 0},
                         {"packages_size", 0},
                         {"snippets_size", 0},
                         {"uploads_size", 0},
                         {"container_registry_size", 0}};
  }
  out["container_registry_image_prefix"] = "registry.example.com/" + p.path_with_namespace;
  out["_links"] = {{"self", api},
                   {"issues", api + "/issues"},
                   {"merge_requests", api + "/merge_requests"},
                   {"repo_branches", api + "/repository/branches"},
                   {"labels", api + "/labels"},
                   {"events", api + "/events"},
                   {"members", api + "/members"},
                   {"cluster_agents", api + "/cluster_agents"}};
  out["spp_repository_pipeline_access"] = false;
  return out;
}

ordered_json custom_role_json(const CustomRole& role) {
  ordered_json out{{"id", role.id},
                   {"name", role.name},
                   {"description", role.description},
                   {"group_id", optional_id(role.group_id)},
                   {"base_access_level", role.base_access_level}};
  for (const auto& [permission, allowed] : role.permissions) out[permission] = allowed;
  return out;
}

ordered_json token_json(const Token& token, std::string_view today) {
  return {{"id", token.id},
          {"name", token.name},
          {"revoked", token.revoked},
          {"created_at", token.created_at},
          {"description", token.description},
          {"scopes", token.scopes},
          {"user_id", token.user_id},
          {"last_used_at", optional_string(token.last_used_at)},
          {"active", !token.revoked && !is_expired(token.expires_at, today)},
          {"expires_at", optional_string(token.expires_at)}};
}

}  // namespace provisio::sim
