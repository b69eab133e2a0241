#include "simulator.hpp"

#include <chrono>

#include "gitlab_errors.hpp"
#include "time_format.hpp"

namespace provisio::sim {
namespace {

std::string base_url_of(const http::HttpRequest& request) {
  return "http://" + std::string(request.header("Host").value_or("127.0.0.1"));
}

// The deepest /api/v4 path GitLab's 404 fallback is registered for.
constexpr int kFallbackDepth = 10;

}  // namespace

Simulator::Simulator(World world, SimulatorOptions options)
    : world_(std::move(world)),
      options_(std::move(options)),
      faults_(options_.faults),
      hook_kinds_(options_.hook_kinds) {
  hooks_.configure(options_.hook_url, options_.hook_secret);
  if (!options_.clock) {
    options_.clock = [] {
      return std::chrono::duration_cast<std::chrono::seconds>(
                 std::chrono::system_clock::now().time_since_epoch())
          .count();
    };
  }
}

std::int64_t Simulator::now() const { return options_.clock(); }

void Simulator::read_world(const std::function<void(const World&)>& f) const {
  std::shared_lock lock(world_mutex_);
  f(world_);
}

http::HttpResponse Simulator::faulted(
    const std::string& endpoint, const http::HttpRequest& request,
    const std::function<http::HttpResponse(std::int64_t now)>& answer) {
  const std::int64_t t = now();
  counters_.count(endpoint, request.path);
  run_due_changes();
  const FaultInjector::Decision decision = faults_.before(endpoint, request.path, t);
  http::HttpResponse response;
  if (decision.answer) {
    response = *decision.answer;
  } else {
    std::shared_lock lock(world_mutex_);
    response = answer(t);
  }
  faults_.after(response, decision);
  return response;
}

void Simulator::run_due_changes() {
  std::vector<std::function<void(World&)>> due;
  {
    std::lock_guard lock(scheduled_mutex_);
    const std::uint64_t number = ++requests_seen_;
    for (auto it = scheduled_.begin(); it != scheduled_.end();) {
      if (it->before_request <= number) {
        due.push_back(std::move(it->change));
        it = scheduled_.erase(it);
      } else {
        ++it;
      }
    }
  }
  if (due.empty()) return;
  std::unique_lock lock(world_mutex_);
  for (auto& change : due) change(world_);
}

void Simulator::change_later(std::uint64_t after, std::function<void(World&)> change) {
  {
    std::lock_guard lock(scheduled_mutex_);
    if (after > 0) {
      scheduled_.push_back({requests_seen_ + after + 1, std::move(change)});
      return;
    }
  }
  std::unique_lock lock(world_mutex_);
  change(world_);
}

http::HttpResponse Simulator::serve_rest(const RestRoute& route, const http::HttpRequest& request) {
  return faulted(std::string(route.method) + " " + route.pattern, request, [&](std::int64_t t) {
    const std::string today = iso_date(t);
    const OAuthLookup lookup = [this, t](const std::string& token) {
      return oauth_.lookup(token, t);
    };
    auto caller = authenticate(world_, request, route.auth, today, lookup);
    if (!caller) {
      if (route.handler == post_graphql && caller.error().status == 401) {
        return json_answer(401, R"({"errors":[{"message":"Invalid token"}]})");
      }
      return caller.error();
    }
    const Viewer viewer{caller->user};
    RestContext ctx{
        world_,    request,
        *caller,   RenderContext{world_, base_url_of(request), today, viewer.admin(), viewer},
        viewer,    cache_,
        &counters_};
    return route.handler(ctx);
  });
}

http::Router Simulator::router() {
  http::Router router;
  for (const RestRoute& route : rest_routes()) {
    router.add(route.method, route.pattern,
               [this, &route](const http::HttpRequest& r) { return serve_rest(route, r); });
  }
  // GitLab's answer for paths the API does not have (more specific routes win).
  std::string pattern = "/api/v4";
  for (int depth = 1; depth <= kFallbackDepth; ++depth) {
    pattern += "/{p" + std::to_string(depth) + "}";
    for (const char* method : {"GET", "POST", "PUT", "DELETE"}) {
      router.add(method, pattern, [this](const http::HttpRequest& r) {
        return faulted(r.method + " (unknown)", r, [](std::int64_t) { return route_not_found(); });
      });
    }
  }
  router.add("GET", "/oauth/authorize", [this](const http::HttpRequest& r) {
    return faulted("GET /oauth/authorize", r,
                   [&](std::int64_t t) { return oauth_.authorize(world_, r, base_url_of(r), t); });
  });
  router.add("POST", "/oauth/token", [this](const http::HttpRequest& r) {
    return faulted("POST /oauth/token", r,
                   [&](std::int64_t t) { return oauth_.token(world_, r, t); });
  });
  router.add("GET", "/oauth/userinfo", [this](const http::HttpRequest& r) {
    return faulted("GET /oauth/userinfo", r, [&](std::int64_t t) {
      return oauth_.userinfo(world_, r, base_url_of(r), iso_date(t), t);
    });
  });
  router.add("GET", "/oauth/token/info", [this](const http::HttpRequest& r) {
    return faulted("GET /oauth/token/info", r,
                   [&](std::int64_t t) { return oauth_.token_info(world_, r, t); });
  });
  router.add("POST", "/oauth/revoke", [this](const http::HttpRequest& r) {
    return faulted("POST /oauth/revoke", r, [&](std::int64_t) { return oauth_.revoke(world_, r); });
  });
  add_control_routes(router);
  return router;
}

}  // namespace provisio::sim
