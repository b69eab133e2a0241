#include "http/managed_rules.hpp"

namespace provisio::http {
namespace {

Error instance(const std::string& what) {
  return Error{ErrorCode::kFailedPrecondition,
               "The instance is managed by GitLab (automatic provisioning is on): " + what};
}

Error project(const Project& p, const std::string& what) {
  return Error{ErrorCode::kFailedPrecondition,
               "The project '" + p.key + "' is managed by GitLab (bound to GitLab project " +
                   std::to_string(p.gitlab_project_id.value_or(0)) + "): " + what};
}

bool bound(bool managed_instance, const Project& p) { return managed_instance && p.managed(); }

}  // namespace

bool is_managed_instance(const std::optional<GitlabConfig>& config) {
  return config && config->enabled &&
         config->provisioning_type == ProvisioningType::kAutoProvisioning;
}

Status may_create_user(bool managed_instance) {
  if (managed_instance) return tl::unexpected(instance("users are created by the provisioning."));
  return {};
}

Status may_update_user(bool managed_instance, const User& user) {
  if (managed_instance && user.managed) {
    return tl::unexpected(instance("the user '" + user.login + "' can only be changed in GitLab."));
  }
  return {};
}

Status may_deactivate_user(bool managed_instance, const User& user) {
  if (managed_instance && user.managed) {
    return tl::unexpected(
        instance("the user '" + user.login + "' is deactivated by the provisioning only."));
  }
  return {};
}

Status may_change_password(bool managed_instance, const User& user) {
  if (managed_instance && user.managed) {
    return tl::unexpected(
        instance("the user '" + user.login + "' logs in with GitLab and has no password here."));
  }
  return {};
}

Status may_create_group(bool managed_instance) {
  if (managed_instance) return tl::unexpected(instance("groups are created by the provisioning."));
  return {};
}

Status may_update_group(bool managed_instance, const Group& group, bool renames) {
  if (!managed_instance) return {};
  if (renames) return tl::unexpected(instance("groups cannot be renamed."));
  if (group.managed) {
    return tl::unexpected(
        instance("the group '" + group.name + "' can only be changed in GitLab."));
  }
  return {};
}

Status may_delete_group(bool managed_instance, const Group& group) {
  if (managed_instance && group.managed) {
    return tl::unexpected(
        instance("the group '" + group.name + "' is deleted by the provisioning only."));
  }
  return {};
}

Status may_add_member(bool managed_instance, const User& user) {
  if (managed_instance && user.managed) {
    return tl::unexpected(instance("the user '" + user.login +
                                   "' is provisioned from GitLab: its group memberships follow "
                                   "GitLab, and it is never added to a local group."));
  }
  if (managed_instance) {
    return tl::unexpected(instance("group memberships are added by the provisioning only."));
  }
  return {};
}

Status may_remove_member(bool managed_instance, const Group& group, const User& /*user*/) {
  if (managed_instance && group.managed) {
    return tl::unexpected(instance("the members of the group '" + group.name +
                                   "' follow GitLab; only local "
                                   "groups' members can be removed by hand."));
  }
  return {};
}

Status may_grant(bool managed_instance, const Project& p, const User* user) {
  if (!bound(managed_instance, p)) return {};
  if (user != nullptr && user->managed) {
    return tl::unexpected(project(p, "permissions of provisioned users are read-only."));
  }
  return tl::unexpected(project(p, "permissions can be removed but not added."));
}

Status may_revoke(bool managed_instance, const Project& p, const User* user) {
  if (bound(managed_instance, p) && user != nullptr && user->managed) {
    return tl::unexpected(project(p, "permissions of provisioned users are read-only."));
  }
  return {};
}

Status may_change_visibility(bool managed_instance, const Project& p) {
  if (bound(managed_instance, p)) {
    return tl::unexpected(project(p, "its visibility follows GitLab."));
  }
  return {};
}

}  // namespace provisio::http
