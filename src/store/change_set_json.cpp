#include "store/change_set_json.hpp"

#include <algorithm>
#include <nlohmann/json.hpp>

namespace provisio::store {
namespace {

using nlohmann::json;

template <typename T>
json opt(const std::optional<T>& v) {
  return v ? json(*v) : json(nullptr);
}

template <typename T>
std::optional<T> get_opt(const json& j, const char* key) {
  if (!j.contains(key) || j[key].is_null()) return std::nullopt;
  return j[key].get<T>();
}

json ref(const RowRef& r) {
  return r.is_created() ? json{{"created", r.created_index()}} : json{{"id", r.id()}};
}
RowRef ref(const json& j) {
  return j.contains("created") ? RowRef::of_created(j.at("created").get<std::size_t>())
                               : RowRef::of_id(j.at("id").get<std::int64_t>());
}

json user(const User& u) {
  return {{"id", u.id},
          {"uuid", u.uuid},
          {"login", u.login},
          {"name", u.name},
          {"email", opt(u.email)},
          {"active", u.active},
          {"local", u.local},
          {"managed", u.managed},
          {"provider", std::string(to_string(u.external_provider))},
          {"externalId", opt(u.external_id)},
          {"externalLogin", opt(u.external_login)},
          {"createdAt", u.created_at}};
}

User user(const json& j) {
  User u;
  u.id = j.at("id").get<std::int64_t>();
  u.uuid = j.at("uuid").get<std::string>();
  u.login = j.at("login").get<std::string>();
  u.name = j.at("name").get<std::string>();
  u.email = get_opt<std::string>(j, "email");
  u.active = j.at("active").get<bool>();
  u.local = j.at("local").get<bool>();
  u.managed = j.at("managed").get<bool>();
  u.external_provider = parse_external_provider(j.at("provider").get<std::string>())
                            .value_or(ExternalProvider::kGitlab);
  u.external_id = get_opt<std::string>(j, "externalId");
  u.external_login = get_opt<std::string>(j, "externalLogin");
  u.created_at = j.at("createdAt").get<std::int64_t>();
  return u;
}

json group(const Group& g) {
  return {{"id", g.id},           {"uuid", g.uuid},
          {"name", g.name},       {"description", g.description},
          {"managed", g.managed}, {"externalId", opt(g.external_id)}};
}

Group group(const json& j) {
  Group g;
  g.id = j.at("id").get<std::int64_t>();
  g.uuid = j.at("uuid").get<std::string>();
  g.name = j.at("name").get<std::string>();
  g.description = j.at("description").get<std::string>();
  g.managed = j.at("managed").get<bool>();
  g.external_id = get_opt<std::string>(j, "externalId");
  return g;
}

json permission(const UserPermissionChange& p) {
  return {{"project", p.project_id},
          {"user", ref(p.user)},
          {"permission", std::string(to_string(p.permission))},
          {"cause", p.cause}};
}

// "cause" is absent from plans held by versions that kept permission audit rows as entries.
UserPermissionChange permission(const json& j) {
  return {j.at("project").get<std::int64_t>(), ref(j.at("user")),
          parse_project_permission(j.at("permission").get<std::string>())
              .value_or(ProjectPermission::kUser),
          j.value("cause", std::uint32_t{0})};
}

json audit(const AuditEntry& a) {
  return {{"at", a.at},
          {"actor", a.actor},
          {"action", a.action},
          {"entityType", a.entity_type},
          {"entity", a.entity},
          {"before", opt(a.before)},
          {"after", opt(a.after)},
          {"cause", opt(a.cause)},
          {"task", opt(a.task_id)}};
}

AuditEntry audit(const json& j) {
  AuditEntry a;
  a.at = j.at("at").get<std::int64_t>();
  a.actor = j.at("actor").get<std::string>();
  a.action = j.at("action").get<std::string>();
  a.entity_type = j.at("entityType").get<std::string>();
  a.entity = j.at("entity").get<std::string>();
  a.before = get_opt<std::string>(j, "before");
  a.after = get_opt<std::string>(j, "after");
  a.cause = get_opt<std::string>(j, "cause");
  a.task_id = get_opt<std::int64_t>(j, "task");
  return a;
}

template <typename Items, typename F>
json list(const Items& items, F f) {
  json out = json::array();
  for (const auto& item : items) out.push_back(f(item));
  return out;
}

template <typename T, typename F>
std::vector<T> unlist(const json& j, const char* key, F f) {
  std::vector<T> out;
  for (const json& item : j.at(key)) out.push_back(f(item));
  return out;
}

}  // namespace

std::string encode_change_set(const ChangeSet& c) {
  json j;
  j["usersToCreate"] = list(c.users_to_create, [](const User& u) { return user(u); });
  j["usersToUpdate"] = list(c.users_to_update, [](const User& u) { return user(u); });
  j["groupsToCreate"] = list(c.groups_to_create, [](const Group& g) { return group(g); });
  j["groupsToUpdate"] = list(c.groups_to_update, [](const Group& g) { return group(g); });
  j["groupsToDelete"] = c.groups_to_delete;
  const auto membership = [](const MembershipChange& m) {
    return json{{"group", ref(m.group)}, {"user", ref(m.user)}, {"cause", m.cause}};
  };
  j["membershipsToAdd"] = list(c.memberships_to_add, membership);
  j["membershipsToRemove"] = list(c.memberships_to_remove, membership);
  j["permissionsToGrant"] =
      list(c.permissions_to_grant, [](const auto& p) { return permission(p); });
  j["permissionsToRevoke"] =
      list(c.permissions_to_revoke, [](const auto& p) { return permission(p); });
  j["globalPermissionsToRevoke"] =
      list(c.global_permissions_to_revoke, [](const GlobalPermissionChange& g) {
        return json{{"user", ref(g.user)}, {"permission", g.permission}, {"cause", g.cause}};
      });
  j["visibilities"] = list(c.visibilities, [](const VisibilityChange& v) {
    return json{{"project", v.project_id}, {"visibility", std::string(to_string(v.visibility))}};
  });
  j["audit"] = list(c.audit, [](const AuditEntry& a) { return audit(a); });
  j["membershipAudit"] = {
      {"at", c.membership_audit.at},
      {"actor", c.membership_audit.actor},
      {"taskId", c.membership_audit.task_id ? json(*c.membership_audit.task_id) : json(nullptr)}};
  j["causes"] = c.causes;
  return j.dump();
}

Result<ChangeSet> decode_change_set(const std::string& text) {
  try {
    const json j = json::parse(text);
    ChangeSet c;
    c.users_to_create = unlist<User>(j, "usersToCreate", [](const json& x) { return user(x); });
    c.users_to_update = unlist<User>(j, "usersToUpdate", [](const json& x) { return user(x); });
    c.groups_to_create = unlist<Group>(j, "groupsToCreate", [](const json& x) { return group(x); });
    c.groups_to_update = unlist<Group>(j, "groupsToUpdate", [](const json& x) { return group(x); });
    c.groups_to_delete = j.at("groupsToDelete").get<std::vector<GroupId>>();
    const auto membership = [](const json& x) {
      return MembershipChange{ref(x.at("group")), ref(x.at("user")),
                              x.at("cause").get<std::uint32_t>()};
    };
    for (const json& x : j.at("membershipsToAdd")) c.memberships_to_add.push_back(membership(x));
    for (const json& x : j.at("membershipsToRemove"))
      c.memberships_to_remove.push_back(membership(x));
    c.permissions_to_grant = unlist<UserPermissionChange>(
        j, "permissionsToGrant", [](const json& x) { return permission(x); });
    c.permissions_to_revoke = unlist<UserPermissionChange>(
        j, "permissionsToRevoke", [](const json& x) { return permission(x); });
    // Absent from plans held before deactivation revoked global permissions.
    if (j.contains("globalPermissionsToRevoke")) {
      c.global_permissions_to_revoke =
          unlist<GlobalPermissionChange>(j, "globalPermissionsToRevoke", [](const json& x) {
            return GlobalPermissionChange{ref(x.at("user")), x.at("permission").get<std::string>(),
                                          x.at("cause").get<std::uint32_t>()};
          });
    }
    c.visibilities = unlist<VisibilityChange>(j, "visibilities", [](const json& x) {
      return VisibilityChange{
          x.at("project").get<std::int64_t>(),
          parse_visibility(x.at("visibility").get<std::string>()).value_or(Visibility::kPrivate)};
    });
    c.audit = unlist<AuditEntry>(j, "audit", [](const json& x) { return audit(x); });
    const json& ma = j.at("membershipAudit");
    c.membership_audit.at = ma.at("at").get<Millis>();
    c.membership_audit.actor = ma.at("actor").get<std::string>();
    if (!ma.at("taskId").is_null()) c.membership_audit.task_id = ma.at("taskId").get<TaskId>();
    c.causes = j.at("causes").get<std::vector<std::string>>();
    // A plan held by a version that kept permission audit rows as entries: apply() now writes
    // those rows from the changes, so the entries would be written twice.
    const auto without_cause = [](const json& x) { return !x.contains("cause"); };
    const json& grants = j.at("permissionsToGrant");
    const json& revokes = j.at("permissionsToRevoke");
    if (std::any_of(grants.begin(), grants.end(), without_cause) ||
        std::any_of(revokes.begin(), revokes.end(), without_cause)) {
      std::erase_if(c.audit, [](const AuditEntry& a) { return a.entity_type == "permission"; });
    }
    return c;
  } catch (const std::exception& e) {
    return make_error(ErrorCode::kInternal,
                      std::string("A held plan could not be read back: ") + e.what());
  }
}

}  // namespace provisio::store
