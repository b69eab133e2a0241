// The control API under /__control/: JSON in, JSON out, no authentication (the simulator binds
// 127.0.0.1 only), never counted nor faulted. See README.md for every call.

#include <charconv>
#include <nlohmann/json.hpp>

#include "gitlab_errors.hpp"
#include "simulator.hpp"
#include "time_format.hpp"

namespace provisio::sim {
namespace {

using nlohmann::json;

http::HttpResponse ok(json body = json::object()) {
  body["ok"] = true;
  return json_answer(200, body.dump());
}

http::HttpResponse bad(int status, const std::string& message) {
  return json_answer(status, json{{"ok", false}, {"error", message}}.dump());
}

// The body as an object; an empty body is {}.
std::optional<json> body_of(const http::HttpRequest& request) {
  if (request.body.empty()) return json::object();
  json body = json::parse(request.body, nullptr, false);
  if (body.is_discarded() || !body.is_object()) return std::nullopt;
  return body;
}

const User* find_user(const World& world, const json& body) {
  if (body.contains("user_id") && body["user_id"].is_number_integer()) {
    return world.user(body["user_id"].get<Id>());
  }
  if (body.contains("username") && body["username"].is_string()) {
    return world.user_by_username(body["username"].get<std::string>());
  }
  return nullptr;
}

// `key` as a numeric id or a full path.
const Group* find_group(const World& world, const json& body, const char* key = "id") {
  if (!body.contains(key)) return nullptr;
  const json& v = body[key];
  if (v.is_number_integer()) return world.group(v.get<Id>());
  if (v.is_string()) return world.group_by_path(v.get<std::string>());
  return nullptr;
}

const Project* find_project(const World& world, const json& body, const char* key = "id") {
  if (!body.contains(key)) return nullptr;
  const json& v = body[key];
  if (v.is_number_integer()) return world.project(v.get<Id>());
  if (v.is_string()) return world.project_by_path(v.get<std::string>());
  return nullptr;
}

std::string text(const json& body, const char* key, const std::string& fallback) {
  return body.contains(key) && body[key].is_string() ? body[key].get<std::string>() : fallback;
}

// "after_requests": how many more API requests before a change happens (0 or absent: now);
// nothing when the value is not a number of requests.
std::optional<std::uint64_t> after_requests(const json& body) {
  const auto it = body.find("after_requests");
  if (it == body.end()) return 0;
  if (!it->is_number_integer() || it->get<std::int64_t>() < 0) return std::nullopt;
  return it->get<std::uint64_t>();
}

}  // namespace

bool Simulator::knows_token(const std::string& secret_or_id) const {
  std::shared_lock lock(world_mutex_);
  for (const Token& t : world_.tokens()) {
    if (t.token == secret_or_id || std::to_string(t.id) == secret_or_id) return true;
  }
  return false;
}

std::vector<std::string> Simulator::emit(const json& body, std::vector<HookEvent> events) {
  std::vector<std::string> kinds;
  if (body.contains("hooks") && body["hooks"].is_array()) {
    for (const auto& k : body["hooks"]) {
      if (k.is_string()) kinds.push_back(k.get<std::string>());
    }
  } else {
    std::lock_guard lock(hook_kinds_mutex_);
    kinds = hook_kinds_;
  }
  const auto wanted = [&](const std::string& kind) {
    return std::find(kinds.begin(), kinds.end(), kind) != kinds.end();
  };
  std::vector<std::string> sent;
  for (HookEvent& e : events) {
    const bool system = e.event_header == kSystemHook;
    if (!wanted(system ? "system" : "group")) continue;
    sent.push_back(e.event_header + ": " + e.payload.value("event_name", std::string()));
    hooks_.send(std::move(e));
  }
  return sent;
}

http::HttpResponse Simulator::control_member(const http::HttpRequest& request, bool remove) {
  const auto body = body_of(request);
  if (!body) return bad(400, "the body must be a JSON object");
  const std::string source = text(*body, "source", "group");
  if (source != "group" && source != "project") return bad(400, "source is group or project");
  const SourceKind kind = source == "group" ? SourceKind::kGroup : SourceKind::kProject;
  std::unique_lock lock(world_mutex_);
  const User* user = find_user(world_, *body);
  if (user == nullptr) return bad(404, "unknown user");
  const Group* group = kind == SourceKind::kGroup ? find_group(world_, *body) : nullptr;
  const Project* project = kind == SourceKind::kProject ? find_project(world_, *body) : nullptr;
  if (group == nullptr && project == nullptr) return bad(404, "unknown " + source);
  const Id source_id = group ? group->id : project->id;
  const Member* existing = world_.member(kind, source_id, user->id);
  const std::int64_t t = now();
  std::vector<HookEvent> events;
  if (remove) {
    if (existing == nullptr) return bad(404, "no such member");
    const int level = existing->access_level;
    const auto expires = existing->expires_at;
    world_.remove_member(kind, source_id, user->id);
    if (group) {
      events.push_back(system_group_member_hook("user_remove_from_group", *group, *user, level, t));
      events.push_back(
          group_member_webhook("user_remove_from_group", *group, *user, level, expires, t));
    } else {
      events.push_back(
          system_project_member_hook("user_remove_from_team", *project, *user, level, t));
    }
  } else {
    Member m = existing ? *existing : Member{};
    m.user_id = user->id;
    if (body->contains("access_level")) {
      if (!(*body)["access_level"].is_number_integer()) return bad(400, "access_level is a number");
      m.access_level = (*body)["access_level"].get<int>();
    } else if (!existing) {
      return bad(400, "access_level is required for a new member");
    }
    if (!is_valid_access_level(m.access_level)) return bad(400, "invalid access_level");
    if (body->contains("expires_at")) {
      const json& e = (*body)["expires_at"];
      m.expires_at =
          e.is_string() ? std::optional<std::string>(e.get<std::string>()) : std::nullopt;
    }
    if (body->contains("member_role_id")) {
      const json& r = (*body)["member_role_id"];
      m.member_role_id = r.is_number_integer() ? std::optional<Id>(r.get<Id>()) : std::nullopt;
      if (m.member_role_id) {
        const CustomRole* role = world_.custom_role(*m.member_role_id);
        if (role == nullptr) return bad(404, "unknown member_role_id");
        m.access_level = role->base_access_level;
      }
    }
    if (!existing) {
      m.created_at = iso_timestamp(t);
      m.created_by = 1;
    }
    const std::string verb = existing ? "update" : "add";
    world_.put_member(kind, source_id, m);
    if (group) {
      const std::string name = existing ? "user_update_for_group" : "user_add_to_group";
      events.push_back(system_group_member_hook(name, *group, *user, m.access_level, t));
      events.push_back(group_member_webhook(name, *group, *user, m.access_level, m.expires_at, t));
    } else {
      const std::string name = existing ? "user_update_for_team" : "user_add_to_team";
      events.push_back(system_project_member_hook(name, *project, *user, m.access_level, t));
    }
  }
  return ok({{"hooks", emit(*body, std::move(events))}});
}

http::HttpResponse Simulator::control_user_state(const http::HttpRequest& request,
                                                 std::string state) {
  const auto body = body_of(request);
  if (!body) return bad(400, "the body must be a JSON object");
  if (state.empty()) state = text(*body, "state", "");
  if (state.empty()) return bad(400, "state is required");
  std::unique_lock lock(world_mutex_);
  const User* user = find_user(world_, *body);
  if (user == nullptr) return bad(404, "unknown user");
  world_.set_user_state(user->id, state);
  return ok({{"hooks", json::array()}});
}

http::HttpResponse Simulator::control_visibility(const http::HttpRequest& request) {
  const auto body = body_of(request);
  if (!body) return bad(400, "the body must be a JSON object");
  const std::string visibility = text(*body, "visibility", "");
  if (!is_valid_visibility(visibility))
    return bad(400, "visibility is private, internal or public");
  std::unique_lock lock(world_mutex_);
  std::vector<HookEvent> events;
  if (text(*body, "source", "group") == "project") {
    const Project* p = find_project(world_, *body);
    if (p == nullptr) return bad(404, "unknown project");
    world_.set_project_visibility(p->id, visibility);
    events.push_back(system_project_hook("project_update", world_, *p, now()));
  } else {
    const Group* g = find_group(world_, *body);
    if (g == nullptr) return bad(404, "unknown group");
    world_.set_group_visibility(g->id, visibility);
  }
  return ok({{"hooks", emit(*body, std::move(events))}});
}

http::HttpResponse Simulator::control_group(const http::HttpRequest& request,
                                            const std::string& action) {
  const auto body = body_of(request);
  if (!body) return bad(400, "the body must be a JSON object");
  std::unique_lock lock(world_mutex_);
  const Group* g = find_group(world_, *body);
  if (g == nullptr) return bad(404, "unknown group");
  const Id id = g->id;
  const std::int64_t t = now();
  std::vector<HookEvent> events;
  if (action == "delete") {
    const Group copy = *g;
    std::optional<Group> parent;
    if (copy.parent_id) parent = *world_.group(*copy.parent_id);
    world_.delete_group(id);
    events.push_back(system_group_hook("group_destroy", copy, t));
    if (parent) events.push_back(subgroup_webhook("subgroup_destroy", copy, *parent, t));
  } else {
    const std::string old_path = g->path;
    const std::string old_full_path = g->full_path;
    bool done = false;
    if (action == "rename") {
      done = world_.rename_group(id, text(*body, "name", g->name), text(*body, "path", g->path));
    } else {
      std::optional<Id> parent;
      if (body->contains("parent_id") && !(*body)["parent_id"].is_null()) {
        const Group* p = find_group(world_, *body, "parent_id");
        if (p == nullptr) return bad(404, "unknown parent group");
        parent = p->id;
      }
      done = world_.move_group(id, parent);
    }
    if (!done) return bad(400, "the group cannot be " + action + "d that way");
    events.push_back(system_group_hook("group_rename", *world_.group(id), t,
                                       std::pair{old_path, old_full_path}));
  }
  return ok({{"hooks", emit(*body, std::move(events))}});
}

http::HttpResponse Simulator::control_project(const http::HttpRequest& request,
                                              const std::string& action) {
  const auto body = body_of(request);
  if (!body) return bad(400, "the body must be a JSON object");
  std::unique_lock lock(world_mutex_);
  const Project* p = find_project(world_, *body);
  if (p == nullptr) return bad(404, "unknown project");
  const Id id = p->id;
  const std::int64_t t = now();
  std::vector<HookEvent> events;
  if (action == "delete") {
    events.push_back(system_project_hook("project_destroy", world_, *p, t));
    events.push_back(project_webhook("project_destroy", world_, *p, t));
    world_.delete_project(id);
  } else {
    const std::string old = p->path_with_namespace;
    bool done = false;
    if (action == "rename") {
      done = world_.rename_project(id, text(*body, "name", p->name), text(*body, "path", p->path));
    } else {
      const Group* ns = find_group(world_, *body, "namespace_id");
      if (ns == nullptr) return bad(404, "unknown namespace group");
      done = world_.move_project(id, ns->id);
    }
    if (!done) return bad(400, "the project cannot be " + action + "d that way");
    events.push_back(system_project_hook(action == "rename" ? "project_rename" : "project_transfer",
                                         world_, *world_.project(id), t, old));
  }
  return ok({{"hooks", emit(*body, std::move(events))}});
}

http::HttpResponse Simulator::control_revoke(const http::HttpRequest& request) {
  const auto body = body_of(request);
  if (!body) return bad(400, "the body must be a JSON object");
  std::string token = text(*body, "token", "");
  if (token.empty() && body->contains("id") && (*body)["id"].is_number_integer()) {
    token = std::to_string((*body)["id"].get<Id>());
  }
  const auto after = after_requests(*body);
  if (!after) return bad(400, "after_requests is a number of requests (0 or more)");
  if (token.empty() || !knows_token(token)) return bad(404, "unknown token");
  change_later(*after, [token](World& world) { world.revoke_token(token); });
  return ok();
}

// A token's expiry (`expires_at`: "YYYY-MM-DD", or null for none) and/or `scopes`, so tests can
// age a token or take a scope away; GET /personal_access_tokens/self then shows the change.
http::HttpResponse Simulator::control_token_update(const http::HttpRequest& request) {
  const auto body = body_of(request);
  if (!body) return bad(400, "the body must be a JSON object");
  std::string token = text(*body, "token", "");
  if (token.empty() && body->contains("id") && (*body)["id"].is_number_integer()) {
    token = std::to_string((*body)["id"].get<Id>());
  }
  std::optional<std::optional<std::string>> expires_at;
  if (const auto it = body->find("expires_at"); it != body->end()) {
    if (it->is_null()) {
      expires_at = std::optional<std::string>();
    } else if (it->is_string()) {
      expires_at = std::optional<std::string>(it->get<std::string>());
    } else {
      return bad(400, "expires_at is a date (YYYY-MM-DD) or null");
    }
  }
  std::optional<std::vector<std::string>> scopes;
  if (const auto it = body->find("scopes"); it != body->end()) {
    if (!it->is_array()) return bad(400, "scopes is a list of scope names");
    scopes.emplace();
    for (const auto& x : *it) {
      if (!x.is_string()) return bad(400, "scopes is a list of scope names");
      scopes->push_back(x.get<std::string>());
    }
  }
  const auto after = after_requests(*body);
  if (!after) return bad(400, "after_requests is a number of requests (0 or more)");
  if (token.empty() || !knows_token(token)) return bad(404, "unknown token");
  change_later(*after, [token, expires_at, scopes](World& world) {
    world.update_token(token, expires_at, scopes);
  });
  return ok();
}

http::HttpResponse Simulator::control_faults(const http::HttpRequest& request) {
  if (request.method == "GET") {
    nlohmann::json out = to_json(faults_.config());
    out["rate_windows"] = nlohmann::json::array();
    for (const RateWindow& w : faults_.rate_windows()) {
      out["rate_windows"].push_back(
          {{"start", w.start}, {"observed", w.observed}, {"throttled", w.throttled}});
    }
    out["endpoint_throttled"] = faults_.endpoint_throttled();
    return json_answer(200, out.dump());
  }
  const auto body = body_of(request);
  if (!body) return bad(400, "the body must be a JSON object");
  FaultConfig config = faults_.config();
  if (const Status s = apply_json(config, *body); !s) return bad(400, s.error().message);
  faults_.set_config(config);
  return json_answer(200, to_json(config).dump());
}

http::HttpResponse Simulator::control_hooks(const http::HttpRequest& request) {
  if (request.method == "POST") {
    const auto body = body_of(request);
    if (!body) return bad(400, "the body must be a JSON object");
    const auto stats = hooks_.stats();
    if (body->contains("url") || body->contains("secret")) {
      hooks_.configure(text(*body, "url", stats.url), text(*body, "secret", ""));
    }
    if (body->contains("kinds") && (*body)["kinds"].is_array()) {
      std::lock_guard lock(hook_kinds_mutex_);
      hook_kinds_ = (*body)["kinds"].get<std::vector<std::string>>();
    }
  }
  const auto stats = hooks_.stats();
  std::lock_guard lock(hook_kinds_mutex_);
  return json_answer(200, json{{"url", stats.url},
                               {"kinds", hook_kinds_},
                               {"sent", stats.sent},
                               {"failed", stats.failed},
                               {"skipped", stats.skipped},
                               {"queued", stats.queued}}
                              .dump());
}

http::HttpResponse Simulator::control_oauth_user(const http::HttpRequest& request) {
  if (request.method == "POST") {
    const auto body = body_of(request);
    if (!body) return bad(400, "the body must be a JSON object");
    const json& name = body->contains("username") ? (*body)["username"] : json();
    if (body->contains("username")) {
      oauth_.set_logged_in_user(name.is_string() ? std::optional(name.get<std::string>())
                                                 : std::nullopt);
    }
    OAuthStore::Consent consent;
    consent.deny = body->value("deny", false);
    if (const auto it = body->find("granted_scopes"); it != body->end() && it->is_array()) {
      consent.granted_scopes = it->get<std::vector<std::string>>();
    }
    oauth_.set_consent(std::move(consent));
  }
  const auto user = oauth_.logged_in_user();
  const auto consent = oauth_.consent();
  return json_answer(
      200, json{{"username", user ? json(*user) : json()},
                {"deny", consent.deny},
                {"granted_scopes", consent.granted_scopes ? json(*consent.granted_scopes) : json()}}
               .dump());
}

http::HttpResponse Simulator::control_summary() {
  std::shared_lock lock(world_mutex_);
  return json_answer(200, json{{"users", world_.users().size()},
                               {"groups", world_.groups().size()},
                               {"projects", world_.projects().size()},
                               {"group_shares", world_.group_shares().size()},
                               {"project_shares", world_.project_shares().size()},
                               {"version", world_.version()}}
                              .dump());
}

void Simulator::add_control_routes(http::Router& router) {
  const auto post = [&](const char* path,
                        std::function<http::HttpResponse(const http::HttpRequest&)> f) {
    router.add("POST", path, std::move(f));
  };
  router.add("GET", "/__control/health", [](const http::HttpRequest&) { return ok(); });
  router.add("GET", "/__control/world",
             [this](const http::HttpRequest&) { return control_summary(); });
  router.add("GET", "/__control/counters", [this](const http::HttpRequest&) {
    return json_answer(200, counters_.snapshot().dump());
  });
  post("/__control/counters/reset", [this](const http::HttpRequest&) {
    counters_.reset();
    return ok();
  });
  for (const char* method : {"GET", "POST", "PUT"}) {
    router.add(method, "/__control/faults",
               [this](const http::HttpRequest& r) { return control_faults(r); });
  }
  router.add("GET", "/__control/hooks",
             [this](const http::HttpRequest& r) { return control_hooks(r); });
  post("/__control/hooks", [this](const http::HttpRequest& r) { return control_hooks(r); });
  router.add("GET", "/__control/oauth/user",
             [this](const http::HttpRequest& r) { return control_oauth_user(r); });
  post("/__control/oauth/user",
       [this](const http::HttpRequest& r) { return control_oauth_user(r); });
  post("/__control/members",
       [this](const http::HttpRequest& r) { return control_member(r, false); });
  post("/__control/members/remove",
       [this](const http::HttpRequest& r) { return control_member(r, true); });
  post("/__control/users/block",
       [this](const http::HttpRequest& r) { return control_user_state(r, "blocked"); });
  post("/__control/users/unblock",
       [this](const http::HttpRequest& r) { return control_user_state(r, "active"); });
  post("/__control/users/state",
       [this](const http::HttpRequest& r) { return control_user_state(r, ""); });
  post("/__control/visibility",
       [this](const http::HttpRequest& r) { return control_visibility(r); });
  for (const char* action : {"rename", "move", "delete"}) {
    post((std::string("/__control/groups/") + action).c_str(),
         [this, action](const http::HttpRequest& r) { return control_group(r, action); });
    post((std::string("/__control/projects/") + action).c_str(),
         [this, action](const http::HttpRequest& r) { return control_project(r, action); });
  }
  post("/__control/tokens/revoke",
       [this](const http::HttpRequest& r) { return control_revoke(r); });
  post("/__control/tokens/update",
       [this](const http::HttpRequest& r) { return control_token_update(r); });
}

}  // namespace provisio::sim
