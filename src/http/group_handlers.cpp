// v2 groups and group memberships.
#include <algorithm>
#include <map>

#include "http/handler_support.hpp"
#include "http/handlers.hpp"
#include "http/managed_rules.hpp"
#include "http/request_input.hpp"

namespace provisio::http {
namespace {

Status validate_group_name(const std::string& name) {
  if (name.empty() || name.size() > 255) {
    return tl::unexpected(invalid("The field 'name' is 1 to 255 characters."));
  }
  return {};
}

Status validate_description(const std::string& description) {
  if (description.size() > 200) {
    return tl::unexpected(invalid("The field 'description' is at most 200 characters."));
  }
  return {};
}

Result<Group> group_by_uuid(ApiContext& context, const std::string& uuid) {
  auto group = context.store.find_group_by_uuid(uuid);
  if (!group && group.error().code == ErrorCode::kNotFound) {
    return tl::unexpected(not_found("There is no group with the id '" + uuid + "'."));
  }
  return group;
}

Result<User> user_by_uuid(ApiContext& context, const std::string& uuid) {
  auto user = context.store.find_user_by_uuid(uuid);
  if (!user && user.error().code == ErrorCode::kNotFound) {
    return tl::unexpected(not_found("There is no user with the id '" + uuid + "'."));
  }
  return user;
}

}  // namespace

Result<HttpResponse> list_groups(ApiContext& context, const HttpRequest& request, const Caller&) {
  auto page = v2_page(request);
  if (!page) return fail(page);
  auto managed = query_flag(request, "managed");
  if (!managed) return fail(managed);
  store::GroupQuery query;
  query.q = std::string(request.query_param("q").value_or(""));
  query.managed = *managed;
  query.page_index = page->index;
  query.page_size = page->size;
  auto groups = context.store.list_groups(query);
  if (!groups) return fail(groups);
  JsonWriter w;
  w.begin_object().key("groups").begin_array();
  for (const Group& g : groups->items) write_group(w, g);
  w.end_array().key("page");
  write_page(w, page->index, page->size, groups->total);
  return ok_written(w.end_object().take());
}

Result<HttpResponse> create_group(ApiContext& context, const HttpRequest& request,
                                  const Caller& caller) {
  auto body = JsonFields::parse(request.body, {"name", "description"});
  if (!body) return fail(body);
  auto name = body->required_text("name");
  if (!name) return fail(name);
  auto description = body->text("description", /*nullable=*/true);
  if (!description) return fail(description);
  auto managed = managed_instance(context.store);
  if (!managed) return fail(managed);
  if (auto allowed = may_create_group(*managed); !allowed) return fail(allowed);
  if (auto v = validate_group_name(*name); !v) return fail(v);
  Group g;
  g.name = *name;
  g.description = description->value_or("");
  if (auto v = validate_description(g.description); !v) return fail(v);
  auto created = context.store.create_group(g);
  if (!created) {
    if (created.error().code == ErrorCode::kAlreadyExists) {
      return tl::unexpected(
          Error{ErrorCode::kAlreadyExists, "A group named '" + g.name + "' exists."});
    }
    return fail(created);
  }
  audit(context, caller, "group.create", "group", created->name);
  return ok(group_json(*created));
}

Result<HttpResponse> get_group(ApiContext& context, const HttpRequest& request, const Caller&) {
  auto group = group_by_uuid(context, request.path_params.at("id"));
  if (!group) return fail(group);
  return ok(group_json(*group));
}

Result<HttpResponse> patch_group(ApiContext& context, const HttpRequest& request,
                                 const Caller& caller) {
  auto body = JsonFields::parse(request.body, {"name", "description"});
  if (!body) return fail(body);
  auto name = body->text("name");
  if (!name) return fail(name);
  auto description = body->text("description", /*nullable=*/true);
  if (!description) return fail(description);
  auto group = group_by_uuid(context, request.path_params.at("id"));
  if (!group) return fail(group);
  const bool renames = *name && **name != group->name;
  auto managed = managed_instance(context.store);
  if (!managed) return fail(managed);
  if (auto allowed = may_update_group(*managed, *group, renames); !allowed) return fail(allowed);
  if (renames && group->is_default) {
    return tl::unexpected(invalid("The default group 'sonar-users' cannot be renamed."));
  }
  Group changed = *group;
  if (*name) {
    if (auto v = validate_group_name(**name); !v) return fail(v);
    changed.name = **name;
  }
  if (*description) {
    if (auto v = validate_description(**description); !v) return fail(v);
    changed.description = **description;
  }
  if (auto saved = context.store.update_group(changed); !saved) {
    if (saved.error().code == ErrorCode::kAlreadyExists) {
      return tl::unexpected(
          Error{ErrorCode::kAlreadyExists, "A group named '" + changed.name + "' exists."});
    }
    return fail(saved);
  }
  audit(context, caller, "group.update", "group", changed.name, group->name, changed.name);
  return ok(group_json(changed));
}

Result<HttpResponse> delete_group(ApiContext& context, const HttpRequest& request,
                                  const Caller& caller) {
  auto group = group_by_uuid(context, request.path_params.at("id"));
  if (!group) return fail(group);
  auto managed = managed_instance(context.store);
  if (!managed) return fail(managed);
  if (auto allowed = may_delete_group(*managed, *group); !allowed) return fail(allowed);
  auto lock = admin_change_lock();
  AdminLoss loss;
  loss.groups.insert(group->id);
  if (auto kept = keeps_an_administrator(context, loss, "Deleting the group '" + group->name + "'");
      !kept) {
    return fail(kept);
  }
  if (auto deleted = context.store.delete_group(group->id); !deleted) return fail(deleted);
  audit(context, caller, "group.delete", "group", group->name);
  return no_content();
}

Result<HttpResponse> list_memberships(ApiContext& context, const HttpRequest& request,
                                      const Caller&) {
  auto page = v2_page(request);
  if (!page) return fail(page);
  store::MembershipQuery query;
  query.page_index = page->index;
  query.page_size = page->size;
  if (const auto group_id = request.query_param("groupId")) {
    auto group = group_by_uuid(context, std::string(*group_id));
    if (!group) return fail(group);
    query.group = group->id;
  }
  if (const auto user_id = request.query_param("userId")) {
    auto user = user_by_uuid(context, std::string(*user_id));
    if (!user) return fail(user);
    query.user = user->id;
  }
  auto memberships = context.store.list_memberships(query);
  if (!memberships) return fail(memberships);
  JsonWriter w;
  w.begin_object().key("groupMemberships").begin_array();
  for (const store::MembershipRow& m : memberships->items) write_membership(w, m.group, m.user);
  w.end_array().key("page");
  write_page(w, page->index, page->size, memberships->total);
  return ok_written(w.end_object().take());
}

Result<HttpResponse> add_membership(ApiContext& context, const HttpRequest& request,
                                    const Caller& caller) {
  auto body = JsonFields::parse(request.body, {"groupId", "userId"});
  if (!body) return fail(body);
  auto group_id = body->required_text("groupId");
  if (!group_id) return fail(group_id);
  auto user_id = body->required_text("userId");
  if (!user_id) return fail(user_id);
  auto managed = managed_instance(context.store);
  if (!managed) return fail(managed);
  auto group = group_by_uuid(context, *group_id);
  if (!group) return fail(group);
  auto user = user_by_uuid(context, *user_id);
  if (!user) return fail(user);
  if (auto allowed = may_add_member(*managed, *user); !allowed) return fail(allowed);
  if (!user->active) return tl::unexpected(invalid("The user '" + user->login + "' is inactive."));
  if (auto added = context.store.add_membership(group->id, user->id); !added) return fail(added);
  audit(context, caller, "membership.add", "membership", group->name + "/" + user->login);
  return ok(membership_json(*group, *user));
}

Result<HttpResponse> remove_membership(ApiContext& context, const HttpRequest& request,
                                       const Caller& caller) {
  const std::string& id = request.path_params.at("id");
  const auto colon = id.find(':');
  if (colon == std::string::npos) {
    return tl::unexpected(not_found("There is no group membership with the id '" + id + "'."));
  }
  auto group = group_by_uuid(context, id.substr(0, colon));
  if (!group) return fail(group);
  auto user = user_by_uuid(context, id.substr(colon + 1));
  if (!user) return fail(user);
  auto members = context.store.group_members(group->id);
  if (!members) return fail(members);
  if (std::find(members->begin(), members->end(), user->id) == members->end()) {
    return tl::unexpected(not_found("There is no group membership with the id '" + id + "'."));
  }
  auto managed = managed_instance(context.store);
  if (!managed) return fail(managed);
  if (auto allowed = may_remove_member(*managed, *group, *user); !allowed) return fail(allowed);
  if (group->is_default) {
    return tl::unexpected(
        invalid("Every active user belongs to the default group 'sonar-users'; nobody can be "
                "removed from it."));
  }
  auto lock = admin_change_lock();
  AdminLoss loss;
  loss.memberships.insert({group->id, user->id});
  if (auto kept = keeps_an_administrator(
          context, loss, "Removing '" + user->login + "' from the group '" + group->name + "'");
      !kept) {
    return fail(kept);
  }
  if (auto removed = context.store.remove_membership(group->id, user->id); !removed) {
    return fail(removed);
  }
  audit(context, caller, "membership.remove", "membership", group->name + "/" + user->login);
  return no_content();
}

}  // namespace provisio::http
