// The plan preview (api.md: GET /api/v2/provisioning/plan): the dry run of a full sync as counts
// and a page of changes, each with the GitLab fact that causes it. The dry run reads all of
// GitLab, so it is computed in the background (sync/plan_preview.hpp): the first call answers
// 202 while it computes; later calls answer 200 with the latest plan and its time, and start a
// fresh dry run when that one is more than five minutes old (or with refresh=true). A dry run
// that failed (GitLab unreachable, a token revoked) is shown with its message, never as a 5xx.
// A plan the guard held back is shown the same way (GET /api/v2/provisioning/plan/{taskId}), for
// an administrator to review before confirming it.
#include <charconv>
#include <map>
#include <optional>

#include "http/handler_support.hpp"
#include "http/handlers.hpp"
#include "http/request_input.hpp"

namespace provisio::http {
namespace {

Json text_or_null(const std::optional<std::string>& s) { return s ? Json(*s) : Json(nullptr); }

// Names of the rows a membership change refers to: created by the plan, or stored.
class Names {
 public:
  Names(store::Store& store, const ChangeSet& changes) : store_(store), changes_(changes) {}
  Result<std::string> group(const RowRef& ref) {
    if (ref.is_created()) return changes_.groups_to_create.at(ref.created_index()).name;
    // A group the plan renames is named as it will be, as the audit row of the change names it.
    if (!renamed_) {
      renamed_.emplace();
      for (const Group& g : changes_.groups_to_update) renamed_->emplace(g.id, g.name);
    }
    if (const auto it = renamed_->find(ref.id()); it != renamed_->end()) return it->second;
    auto g = store_.get_group(ref.id());
    if (!g) return tl::unexpected(g.error());
    return g->name;
  }
  Result<std::string> user(const RowRef& ref) {
    if (ref.is_created()) return changes_.users_to_create.at(ref.created_index()).login;
    auto u = store_.get_user(ref.id());
    if (!u) return tl::unexpected(u.error());
    return u->login;
  }
  // Projects by id: there is no lookup by id, and a server has few projects beside its users,
  // so they are listed once.
  Result<std::string> project(ProjectId id) {
    if (!projects_) {
      projects_.emplace();
      for (int page = 1;; ++page) {
        auto listed = store_.list_projects("", page, 500);
        if (!listed) return tl::unexpected(listed.error());
        for (const Project& p : listed->items) projects_->emplace(p.id, p.key);
        if (listed->items.size() < 500) break;
      }
    }
    const auto found = projects_->find(id);
    if (found == projects_->end()) return std::to_string(id);
    return found->second;
  }

 private:
  store::Store& store_;
  const ChangeSet& changes_;
  std::optional<std::map<ProjectId, std::string>> projects_;
  std::optional<std::map<GroupId, std::string>> renamed_;
};

std::optional<std::string> cause_text(const ChangeSet& c, std::uint32_t cause) {
  if (cause < c.causes.size() && !c.causes[cause].empty()) return c.causes[cause];
  return std::nullopt;
}

// A permission change (its audit row is written by apply(), like a membership's).
Result<Json> permission_json(const ChangeSet& c, const UserPermissionChange& p, bool granted,
                             Names& names) {
  auto project = names.project(p.project_id);
  if (!project) return tl::unexpected(project.error());
  auto user = names.user(p.user);
  if (!user) return tl::unexpected(user.error());
  const std::string permission(to_string(p.permission));
  return Json{{"action", granted ? "permission.grant" : "permission.revoke"},
              {"entityType", "permission"},
              {"entity", *project + "/" + *user + "/" + permission},
              {"before", granted ? Json(nullptr) : Json(permission)},
              {"after", granted ? Json(permission) : Json(nullptr)},
              {"cause", text_or_null(cause_text(c, p.cause))}};
}

// Change `index` of the plan's list: the audited changes first, then the membership removals
// and additions, then the permission revocations and grants, then the global permissions a
// deactivation revokes (a first sync has millions: only the page shown is named).
Result<Json> change_json(const ChangeSet& c, std::size_t index, Names& names) {
  if (index < c.audit.size()) {
    const AuditEntry& a = c.audit[index];
    return Json{{"action", a.action},
                {"entityType", a.entity_type},
                {"entity", a.entity},
                {"before", text_or_null(a.before)},
                {"after", text_or_null(a.after)},
                {"cause", text_or_null(a.cause)}};
  }
  index -= c.audit.size();
  const std::size_t memberships = c.memberships_to_remove.size() + c.memberships_to_add.size();
  if (index >= memberships) {
    index -= memberships;
    const std::size_t permissions = c.permissions_to_revoke.size() + c.permissions_to_grant.size();
    if (index >= permissions) {
      const GlobalPermissionChange& g = c.global_permissions_to_revoke.at(index - permissions);
      auto user = names.user(g.user);
      if (!user) return tl::unexpected(user.error());
      return Json{{"action", "permission.revoke"},
                  {"entityType", "permission"},
                  {"entity", "(global)/" + *user + "/" + g.permission},
                  {"before", g.permission},
                  {"after", nullptr},
                  {"cause", text_or_null(cause_text(c, g.cause))}};
    }
    const bool granted = index >= c.permissions_to_revoke.size();
    return permission_json(c,
                           granted ? c.permissions_to_grant[index - c.permissions_to_revoke.size()]
                                   : c.permissions_to_revoke[index],
                           granted, names);
  }
  const bool added = index >= c.memberships_to_remove.size();
  const MembershipChange m = added ? c.memberships_to_add[index - c.memberships_to_remove.size()]
                                   : c.memberships_to_remove[index];
  auto group = names.group(m.group);
  if (!group) return tl::unexpected(group.error());
  auto user = names.user(m.user);
  if (!user) return tl::unexpected(user.error());
  const std::optional<std::string> cause = cause_text(c, m.cause);
  return Json{{"action", added ? "membership.add" : "membership.remove"},
              {"entityType", "membership"},
              {"entity", *group + "/" + *user},
              {"before", added ? Json(nullptr) : Json("member")},
              {"after", added ? Json("member") : Json(nullptr)},
              {"cause", text_or_null(cause)}};
}

// The page of a plan's changes the request asks for, with "page".
Result<Json> changes_page(store::Store& store, const ChangeSet& c, const PageRequest& page) {
  const std::size_t total = c.audit.size() + c.memberships_to_remove.size() +
                            c.memberships_to_add.size() + c.permissions_to_revoke.size() +
                            c.permissions_to_grant.size() + c.global_permissions_to_revoke.size();
  Names names(store, c);
  Json changes = Json::array();
  const std::size_t first = static_cast<std::size_t>(page.index - 1) * page.size;
  for (std::size_t i = first; i < total && i < first + static_cast<std::size_t>(page.size); ++i) {
    auto change = change_json(c, i, names);
    if (!change) return tl::unexpected(change.error());
    changes.push_back(std::move(*change));
  }
  return Json{{"changes", std::move(changes)},
              {"page", page_json(page.index, page.size, static_cast<std::int64_t>(total))}};
}

}  // namespace

Result<HttpResponse> plan_preview(ApiContext& context, const HttpRequest& request, const Caller&) {
  if (!context.plan_preview) {
    return tl::unexpected(Error{ErrorCode::kUnavailable, "This server cannot preview plans."});
  }
  auto page = v2_page(request, 100, 500);
  if (!page) return fail(page);
  auto refresh = query_flag(request, "refresh");
  if (!refresh) return fail(refresh);
  auto managed = managed_instance(context.store);
  if (!managed) return fail(managed);
  if (!*managed) {
    return tl::unexpected(Error{ErrorCode::kFailedPrecondition,
                                "Automatic provisioning is not enabled: there is no plan to "
                                "preview."});
  }
  const sync::PreviewState state = context.plan_preview(refresh->value_or(false));
  if (!state.latest) {
    return ok(Json{{"status", "COMPUTING"},
                   {"computingSince", time_or_null(state.computing_since)},
                   {"message", "The dry run reads all of GitLab; ask again in a moment."}},
              202);
  }
  const sync::PreviewedPlan& previewed = *state.latest;
  Json out{{"status", previewed.result ? "READY" : "FAILED"},
           {"computedAt", format_time(previewed.computed_at)},
           {"computingSince", time_or_null(state.computing_since)}};
  if (!previewed.result) {
    out["message"] = previewed.result.error().message;
    return ok(out);
  }
  const Plan& plan = previewed.result->plan;
  SyncCounts counts = plan.counts;
  counts.duration_ms = previewed.result->duration_ms;
  out["held"] = text_or_null(plan.held);
  out["counts"] = counts_json(counts);
  out["totals"] = totals_json(counts.totals);
  out["warnings"] = plan.warnings;
  auto listed = changes_page(context.store, plan.changes, *page);
  if (!listed) return fail(listed);
  out.update(*listed);
  return ok(out);
}

Result<HttpResponse> held_plan(ApiContext& context, const HttpRequest& request, const Caller&) {
  const std::string& raw = request.path_params.at("taskId");
  TaskId id = 0;
  const auto [end, ec] = std::from_chars(raw.data(), raw.data() + raw.size(), id);
  if (ec != std::errc() || end != raw.data() + raw.size() || id < 1) {
    return tl::unexpected(invalid("taskId must be the number of a task."));
  }
  auto page = v2_page(request, 20, 500);
  if (!page) return fail(page);
  auto task = context.store.get_task(id);
  if (!task) return fail(task);
  auto plan = context.store.load_held_plan(id);
  if (!plan) return fail(plan);
  Json out{{"taskId", std::to_string(id)},
           {"held", text_or_null(task->error_message)},
           {"counts", counts_json(task->counts)},
           {"totals", totals_json(task->counts.totals)},
           {"warnings", task->warnings}};
  auto listed = changes_page(context.store, *plan, *page);
  if (!listed) return fail(listed);
  out.update(*listed);
  return ok(out);
}

}  // namespace provisio::http
