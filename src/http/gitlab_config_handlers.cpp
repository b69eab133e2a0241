// The GitLab configuration (through sync::GitlabConfiguration, which holds its rules), the role
// permission mappings and "synchronize now".
#include <spdlog/spdlog.h>

#include <algorithm>
#include <charconv>

#include "http/api_json.hpp"
#include "http/handler_support.hpp"
#include "http/handlers.hpp"
#include "http/managed_rules.hpp"
#include "http/request_input.hpp"
#include "sync/configuration.hpp"

namespace provisio::http {
namespace {

constexpr std::string_view kConfigId = "gitlab-configuration";

const std::set<std::string> config_fields = {
    "enabled",           "applicationId",      "url",           "secret",
    "synchronizeGroups", "provisioningType",   "allowedGroups", "allowUsersToSignUp",
    "provisioningToken", "jitPrivilegedGroups"};

const std::set<std::string> permission_fields = {
    "user", "codeViewer", "issueAdmin", "securityHotspotAdmin", "admin", "scan"};

Result<sync::GitlabConfigPatch> read_patch(const JsonFields& body) {
  sync::GitlabConfigPatch p;
  auto enabled = body.flag("enabled");
  if (!enabled) return fail(enabled);
  p.enabled = *enabled;
  auto application_id = body.text("applicationId");
  if (!application_id) return fail(application_id);
  p.application_id = *application_id;
  auto url = body.text("url");
  if (!url) return fail(url);
  p.url = *url;
  auto secret = body.text("secret");
  if (!secret) return fail(secret);
  if (secret && *secret && (*secret)->empty()) {
    return tl::unexpected(invalid("The field 'secret' may not be empty."));
  }
  p.secret = *secret;
  auto sync_groups = body.flag("synchronizeGroups");
  if (!sync_groups) return fail(sync_groups);
  p.synchronize_groups = *sync_groups;
  auto type = body.text("provisioningType");
  if (!type) return fail(type);
  if (*type) {
    auto parsed = parse_provisioning_type(**type);
    if (!parsed) {
      return tl::unexpected(
          invalid("The field 'provisioningType' must be JIT or AUTO_PROVISIONING."));
    }
    p.provisioning_type = *parsed;
  }
  auto groups = body.texts("allowedGroups");
  if (!groups) return fail(groups);
  if (*groups) {
    std::vector<std::string> typed;  // kept in the order given; a repeat counts once
    for (const std::string& g : **groups) {
      if (g.empty() || g.size() > 255 || g.find('/') != std::string::npos) {
        return tl::unexpected(
            invalid("The field 'allowedGroups' holds root-group slugs: non-empty, without '/'."));
      }
      if (std::find(typed.begin(), typed.end(), g) == typed.end()) typed.push_back(g);
    }
    p.allowed_groups = std::move(typed);
  }
  auto privileged = body.texts("jitPrivilegedGroups");
  if (!privileged) return fail(privileged);
  if (*privileged) {
    std::set<std::string> set;
    for (const std::string& g : **privileged) {
      if (g.empty() || g.size() > 255) {
        return tl::unexpected(invalid(
            "The field 'jitPrivilegedGroups' holds group names: non-empty, at most 255 bytes."));
      }
      set.insert(g);
    }
    p.jit_privileged_groups = std::move(set);
  }
  auto sign_up = body.flag("allowUsersToSignUp");
  if (!sign_up) return fail(sign_up);
  p.allow_users_to_sign_up = *sign_up;
  // null (merge-patch) or "" removes the token.
  auto token = body.text("provisioningToken", /*nullable=*/true);
  if (!token) return fail(token);
  p.provisioning_token = *token;
  return p;
}

sync::GitlabConfiguration configuration(ApiContext& context) {
  return sync::GitlabConfiguration(context.store, context.clock,
                                   sync::ConfigurationPolicy{context.allow_http_gitlab});
}

Json config_resource(ApiContext& context, const GitlabConfig& config) {
  GitlabCheckResult check;
  if (config.enabled && context.check_gitlab) check = context.check_gitlab(config);
  if (config.secrets_unreadable && !check.error) {
    check.error =
        "A stored GitLab secret cannot be decrypted (the GitLab URL was changed outside Provisio, "
        "or the key file is not this database's): give the OAuth secret and the provisioning "
        "token again.";
  }
  return gitlab_config_json(config, check);
}

Status check_config_id(const HttpRequest& request) {
  if (request.path_params.at("id") != kConfigId) {
    return tl::unexpected(
        not_found("There is no GitLab configuration '" + request.path_params.at("id") + "'."));
  }
  return {};
}

Result<RolePermissions> read_permissions(const JsonFields& object, RolePermissions base) {
  const std::pair<const char*, bool RolePermissions::*> fields[] = {
      {"user", &RolePermissions::user},
      {"codeViewer", &RolePermissions::code_viewer},
      {"issueAdmin", &RolePermissions::issue_admin},
      {"securityHotspotAdmin", &RolePermissions::security_hotspot_admin},
      {"admin", &RolePermissions::admin},
      {"scan", &RolePermissions::scan}};
  for (const auto& [name, member] : fields) {
    auto value = object.flag(name);
    if (!value) return fail(value);
    if (*value) base.*member = **value;
  }
  return base;
}

Result<std::optional<RoleMapping>> find_mapping(store::Store& store, const std::string& role) {
  auto all = store.role_mappings();
  if (!all) return fail(all);
  for (const RoleMapping& m : *all) {
    if (m.role == role) return std::optional<RoleMapping>(m);
  }
  return std::optional<RoleMapping>();
}

// A new token or new allowed groups for automatic provisioning are checked against GitLab
// before anything is saved: what GitLab refuses is answered 400 with the setting it concerns
// ("field", and "allowedGroup" for a group), in the words of the configuration's check and of
// the run. When GitLab cannot be asked (unreachable, slow) the save goes through, and the
// configuration's errorMessage says why.
class CheckedSave {
 public:
  explicit CheckedSave(ApiContext& context) : context_(context) {}
  sync::ConfigVerifier verifier() {
    return [this](const std::optional<GitlabConfig>& before, const GitlabConfig& after) -> Status {
      if (!context_.check_gitlab || !sync::reads_gitlab_differently(before, after)) return {};
      GitlabCheckResult check = context_.check_gitlab(after);
      if (!check.error || !check.field) return {};
      refused_ = std::move(check);
      return tl::unexpected(invalid(*refused_->error));
    };
  }
  // The answer when GitLab refused a setting.
  std::optional<Result<HttpResponse>> refusal() const {
    if (!refused_) return std::nullopt;
    const Json group = refused_->allowed_group ? Json(*refused_->allowed_group) : Json(nullptr);
    return ok(
        Json{{"message", *refused_->error}, {"field", *refused_->field}, {"allowedGroup", group}},
        400);
  }

 private:
  ApiContext& context_;
  std::optional<GitlabCheckResult> refused_;
};

// A changed mapping changes the permissions on bound projects: while automatic provisioning is
// on, a sync applies it now. The mapping is saved either way; when the sync cannot be queued,
// the log says so and the hourly sync applies it.
void sync_after_mapping_change(ApiContext& context, const Caller& caller) {
  if (auto queued = sync::queue_sync_for_new_settings(context.store, context.clock, caller.login());
      !queued) {
    spdlog::warn("could not queue the sync of a changed role mapping: {}", queued.error().message);
  }
}

}  // namespace

Result<HttpResponse> list_gitlab_configs(ApiContext& context, const HttpRequest& request,
                                         const Caller&) {
  auto page = v2_page(request);
  if (!page) return fail(page);
  auto config = configuration(context).get();
  if (!config) return fail(config);
  Json list = Json::array();
  if (*config && page->index == 1) list.push_back(config_resource(context, **config));
  return ok(Json{{"gitlabConfigurations", std::move(list)},
                 {"page", page_json(page->index, page->size, *config ? 1 : 0)}});
}

Result<HttpResponse> create_gitlab_config(ApiContext& context, const HttpRequest& request,
                                          const Caller& caller) {
  auto body = JsonFields::parse(request.body, config_fields);
  if (!body) return fail(body);
  for (const char* required : {"applicationId", "url", "secret"}) {
    if (auto present = body->required_text(required); !present) return fail(present);
  }
  auto patch = read_patch(*body);
  if (!patch) return fail(patch);
  CheckedSave checked(context);
  auto change = configuration(context).create(*patch, caller.login(), checked.verifier());
  if (!change) return checked.refusal().value_or(fail(change));
  return ok(config_resource(context, change->config));
}

Result<HttpResponse> get_gitlab_config(ApiContext& context, const HttpRequest& request,
                                       const Caller&) {
  if (auto id = check_config_id(request); !id) return fail(id);
  auto config = configuration(context).get();
  if (!config) return fail(config);
  if (!*config) return tl::unexpected(not_found("There is no GitLab configuration."));
  return ok(config_resource(context, **config));
}

Result<HttpResponse> patch_gitlab_config(ApiContext& context, const HttpRequest& request,
                                         const Caller& caller) {
  if (auto id = check_config_id(request); !id) return fail(id);
  auto body = JsonFields::parse(request.body, config_fields);
  if (!body) return fail(body);
  auto patch = read_patch(*body);
  if (!patch) return fail(patch);
  CheckedSave checked(context);
  auto change = configuration(context).update(*patch, caller.login(), checked.verifier());
  if (!change) return checked.refusal().value_or(fail(change));
  return ok(config_resource(context, change->config));
}

Result<HttpResponse> delete_gitlab_config(ApiContext& context, const HttpRequest& request,
                                          const Caller& caller) {
  if (auto id = check_config_id(request); !id) return fail(id);
  if (auto removed = configuration(context).remove(caller.login()); !removed) {
    return fail(removed);
  }
  return no_content();
}

Result<HttpResponse> list_role_mappings(ApiContext& context, const HttpRequest&, const Caller&) {
  auto all = context.store.role_mappings();
  if (!all) return fail(all);
  Json list = Json::array();
  for (const RoleMapping& m : *all) list.push_back(role_mapping_json(m));
  return ok(Json{{"permissionMappings", std::move(list)}});
}

Result<HttpResponse> create_role_mapping(ApiContext& context, const HttpRequest& request,
                                         const Caller& caller) {
  auto body = JsonFields::parse(request.body, {"role", "permissions"});
  if (!body) return fail(body);
  auto role = body->required_text("role");
  if (!role) return fail(role);
  auto object = body->object("permissions", permission_fields);
  if (!object) return fail(object);
  if (!*object) return tl::unexpected(invalid("The field 'permissions' is required."));
  auto permissions = read_permissions(**object, RolePermissions{});
  if (!permissions) return fail(permissions);
  auto existing = context.store.role_mappings();
  if (!existing) return fail(existing);
  const RoleMapping mapping{*role, *permissions};
  if (auto valid = validate_new_custom_role(*existing, mapping); !valid) return fail(valid);
  if (auto saved = context.store.save_role_mapping(mapping); !saved) return fail(saved);
  audit(context, caller, "role_mapping.create", "role_mapping", mapping.role);
  sync_after_mapping_change(context, caller);
  return ok(role_mapping_json(mapping));
}

Result<HttpResponse> patch_role_mapping(ApiContext& context, const HttpRequest& request,
                                        const Caller& caller) {
  const std::string& role = request.path_params.at("role");
  auto body = JsonFields::parse(request.body, {"permissions"});
  if (!body) return fail(body);
  auto object = body->object("permissions", permission_fields);
  if (!object) return fail(object);
  auto current = find_mapping(context.store, role);
  if (!current) return fail(current);
  if (!*current)
    return tl::unexpected(not_found("There is no mapping for the role '" + role + "'."));
  RoleMapping mapping = **current;
  if (*object) {
    auto permissions = read_permissions(**object, mapping.permissions);
    if (!permissions) return fail(permissions);
    mapping.permissions = *permissions;
  }
  if (auto valid = validate_role_update(mapping); !valid) return fail(valid);
  if (auto saved = context.store.save_role_mapping(mapping); !saved) return fail(saved);
  audit(context, caller, "role_mapping.update", "role_mapping", role);
  sync_after_mapping_change(context, caller);
  return ok(role_mapping_json(mapping));
}

Result<HttpResponse> delete_role_mapping(ApiContext& context, const HttpRequest& request,
                                         const Caller& caller) {
  const std::string& role = request.path_params.at("role");
  auto current = find_mapping(context.store, role);
  if (!current) return fail(current);
  if (!*current)
    return tl::unexpected(not_found("There is no mapping for the role '" + role + "'."));
  if ((*current)->is_base()) {
    return tl::unexpected(
        invalid("The base role '" + role + "' cannot be deleted; change its permissions instead."));
  }
  if (auto deleted = context.store.delete_role_mapping(role); !deleted) return fail(deleted);
  audit(context, caller, "role_mapping.delete", "role_mapping", role);
  sync_after_mapping_change(context, caller);
  return no_content();
}

Result<HttpResponse> start_sync_run(ApiContext& context, const HttpRequest&, const Caller& caller) {
  auto managed = managed_instance(context.store);
  if (!managed) return fail(managed);
  if (!*managed) {
    return tl::unexpected(Error{ErrorCode::kFailedPrecondition,
                                "Automatic provisioning is not enabled: there is nothing to "
                                "synchronize."});
  }
  auto task = context.request_sync(caller.login());
  if (!task) {
    if (task.error().code == ErrorCode::kAlreadyExists) {
      return tl::unexpected(
          Error{ErrorCode::kAlreadyExists, "A synchronization is already pending or running."});
    }
    return fail(task);
  }
  return ok(Json{{"taskId", std::to_string(task->id)}}, 202);
}

Result<HttpResponse> confirm_held_plan(ApiContext& context, const HttpRequest& request,
                                       const Caller& caller) {
  const std::string& raw = request.path_params.at("taskId");
  TaskId id = 0;
  const auto [end, ec] = std::from_chars(raw.data(), raw.data() + raw.size(), id);
  if (ec != std::errc() || end != raw.data() + raw.size() || id < 1) {
    return tl::unexpected(
        Error{ErrorCode::kInvalidArgument, "taskId must be the number of a task."});
  }
  if (!context.confirm_plan) {
    return tl::unexpected(
        Error{ErrorCode::kUnavailable, "This server cannot confirm plans (no sync service)."});
  }
  auto task = context.confirm_plan(id, caller.login());
  if (!task) return tl::unexpected(task.error());
  return ok(Json{{"task", task_json(*task)}});
}

}  // namespace provisio::http
