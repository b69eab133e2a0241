// Spellings of the domain's enumerations, as the Web API and the database write them.
#include <array>
#include <utility>

#include "core/gitlab_config.hpp"
#include "core/permission.hpp"
#include "core/project.hpp"
#include "core/task.hpp"
#include "core/user.hpp"

namespace provisio {
namespace {

template <typename E, std::size_t N>
std::string_view name_of(const std::array<std::pair<E, std::string_view>, N>& table, E value) {
  for (const auto& [e, name] : table) {
    if (e == value) return name;
  }
  return "unknown";
}

template <typename E, std::size_t N>
std::optional<E> parse(const std::array<std::pair<E, std::string_view>, N>& table,
                       std::string_view s) {
  for (const auto& [e, name] : table) {
    if (name == s) return e;
  }
  return std::nullopt;
}

constexpr std::array<std::pair<ExternalProvider, std::string_view>, 2> kProviders{{
    {ExternalProvider::kSonarqube, "sonarqube"},
    {ExternalProvider::kGitlab, "gitlab"},
}};
constexpr std::array<std::pair<Visibility, std::string_view>, 2> kVisibilities{{
    {Visibility::kPublic, "public"},
    {Visibility::kPrivate, "private"},
}};
constexpr std::array<std::pair<GlobalPermission, std::string_view>, 5> kGlobal{{
    {GlobalPermission::kAdmin, "admin"},
    {GlobalPermission::kGateAdmin, "gateadmin"},
    {GlobalPermission::kProfileAdmin, "profileadmin"},
    {GlobalPermission::kScan, "scan"},
    {GlobalPermission::kProvisioning, "provisioning"},
}};
constexpr std::array<std::pair<ProjectPermission, std::string_view>, 6> kProject{{
    {ProjectPermission::kUser, "user"},
    {ProjectPermission::kCodeViewer, "codeviewer"},
    {ProjectPermission::kIssueAdmin, "issueadmin"},
    {ProjectPermission::kSecurityHotspotAdmin, "securityhotspotadmin"},
    {ProjectPermission::kAdmin, "admin"},
    {ProjectPermission::kScan, "scan"},
}};
constexpr std::array<std::pair<ProvisioningType, std::string_view>, 2> kProvisioning{{
    {ProvisioningType::kJit, "JIT"},
    {ProvisioningType::kAutoProvisioning, "AUTO_PROVISIONING"},
}};
constexpr std::array<std::pair<TaskType, std::string_view>, 3> kTaskTypes{{
    {TaskType::kGitlabAuthProvisioning, "GITLAB_AUTH_PROVISIONING"},
    {TaskType::kGitlabProjectPermissionsProvisioning, "GITLAB_PROJECT_PERMISSIONS_PROVISIONING"},
    {TaskType::kGitlabEventProvisioning, "GITLAB_EVENT_PROVISIONING"},
}};
constexpr std::array<std::pair<TaskStatus, std::string_view>, 5> kTaskStatuses{{
    {TaskStatus::kPending, "PENDING"},
    {TaskStatus::kInProgress, "IN_PROGRESS"},
    {TaskStatus::kSuccess, "SUCCESS"},
    {TaskStatus::kFailed, "FAILED"},
    {TaskStatus::kCanceled, "CANCELED"},
}};

}  // namespace

std::string_view to_string(ExternalProvider p) { return name_of(kProviders, p); }
std::optional<ExternalProvider> parse_external_provider(std::string_view s) {
  return parse(kProviders, s);
}
std::string_view to_string(Visibility v) { return name_of(kVisibilities, v); }
std::optional<Visibility> parse_visibility(std::string_view s) { return parse(kVisibilities, s); }
std::string_view to_string(GlobalPermission p) { return name_of(kGlobal, p); }
std::string_view to_string(ProjectPermission p) { return name_of(kProject, p); }
std::optional<GlobalPermission> parse_global_permission(std::string_view s) {
  return parse(kGlobal, s);
}
std::optional<ProjectPermission> parse_project_permission(std::string_view s) {
  return parse(kProject, s);
}
std::string_view to_string(ProvisioningType t) { return name_of(kProvisioning, t); }
std::optional<ProvisioningType> parse_provisioning_type(std::string_view s) {
  return parse(kProvisioning, s);
}
std::string_view to_string(TaskType t) { return name_of(kTaskTypes, t); }
std::string_view to_string(TaskStatus s) { return name_of(kTaskStatuses, s); }
std::optional<TaskType> parse_task_type(std::string_view s) { return parse(kTaskTypes, s); }
std::optional<TaskStatus> parse_task_status(std::string_view s) { return parse(kTaskStatuses, s); }

}  // namespace provisio
