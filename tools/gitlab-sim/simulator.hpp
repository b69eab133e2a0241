#pragma once
// Start here. The simulator: a World behind a shared_mutex, served through provisio's
// http::Router. router() returns the whole table:
//   /api/v4/...       the REST endpoints of rest_api.hpp (authenticated, counted, faulted)
//   /api/graphql      authentication only (GitLab's GraphQL 401 for a bad token)
//   /oauth/...        the OAuth provider of oauth.hpp (counted, faulted)
//   /__control/...    the control API of control_api.cpp (never counted nor faulted)
//   anything else under /api/v4: GitLab's {"error":"404 Not Found"}
//
// Threading: the HTTP server calls the handlers on its single I/O thread; latency and timeouts
// are asynchronous delays on the answer (http::HttpResponse::delay), so the thread never sleeps.
// Reads take the world's lock shared, control API changes take it exclusively, so a change is
// atomic for every reader. Hooks are posted by HookSender's own thread.
//
// The Simulator must outlive the Router (and the Server) built from it.

#include <cstdint>
#include <functional>
#include <nlohmann/json.hpp>
#include <shared_mutex>
#include <string>
#include <vector>

#include "faults.hpp"
#include "hooks.hpp"
#include "http/router.hpp"
#include "oauth.hpp"
#include "request_counters.hpp"
#include "rest_api.hpp"
#include "world.hpp"

namespace provisio::sim {

struct SimulatorOptions {
  FaultConfig faults;
  std::string hook_url;  // empty: no hooks are sent
  std::string hook_secret;
  // Which hooks a change emits by default: "system" and/or "group" (webhooks).
  std::vector<std::string> hook_kinds{"system", "group"};
  // Unix seconds; decides "today" for expiry and hook timestamps. Tests pass a fixed one.
  std::function<std::int64_t()> clock;
};

class Simulator {
 public:
  Simulator(World world, SimulatorOptions options);

  // The route table; handlers refer to this Simulator.
  http::Router router();

  // For tests and the command line.
  RequestCounters& counters() { return counters_; }
  FaultInjector& faults() { return faults_; }
  HookSender& hooks() { return hooks_; }
  OAuthStore& oauth() { return oauth_; }
  // Runs `f` with the world under a shared lock.
  void read_world(const std::function<void(const World&)>& f) const;

 private:
  http::HttpResponse serve_rest(const RestRoute& route, const http::HttpRequest& request);
  // Counts, applies faults around `answer` (called under the world's shared lock).
  http::HttpResponse faulted(const std::string& endpoint, const http::HttpRequest& request,
                             const std::function<http::HttpResponse(std::int64_t now)>& answer);
  std::int64_t now() const;
  // Counts one API request and applies the changes scheduled to happen before it.
  void run_due_changes();
  // Schedules `change` to happen after `after` more API requests (0: now).
  void change_later(std::uint64_t after, std::function<void(World&)> change);

  // control_api.cpp
  void add_control_routes(http::Router& router);
  http::HttpResponse control_member(const http::HttpRequest& request, bool remove);
  http::HttpResponse control_user_state(const http::HttpRequest& request, std::string state);
  http::HttpResponse control_visibility(const http::HttpRequest& request);
  http::HttpResponse control_group(const http::HttpRequest& request, const std::string& action);
  http::HttpResponse control_project(const http::HttpRequest& request, const std::string& action);
  http::HttpResponse control_revoke(const http::HttpRequest& request);
  http::HttpResponse control_token_update(const http::HttpRequest& request);
  http::HttpResponse control_faults(const http::HttpRequest& request);
  http::HttpResponse control_hooks(const http::HttpRequest& request);
  http::HttpResponse control_oauth_user(const http::HttpRequest& request);
  http::HttpResponse control_summary();
  bool knows_token(const std::string& secret_or_id) const;
  // Sends the events of the kinds asked for ("hooks" in the body, else the defaults); returns
  // the event names sent.
  std::vector<std::string> emit(const nlohmann::json& body, std::vector<HookEvent> events);

  mutable std::shared_mutex world_mutex_;
  World world_;
  SimulatorOptions options_;
  EffectiveCache cache_;
  FaultInjector faults_;
  HookSender hooks_;
  OAuthStore oauth_;
  RequestCounters counters_;
  std::mutex hook_kinds_mutex_;
  std::vector<std::string> hook_kinds_;
  // World changes that wait for a number of API requests ("after_requests" on tokens/revoke and
  // tokens/update): a token revoked or expiring in the middle of a client's run.
  struct ScheduledChange {
    std::uint64_t before_request = 0;  // applied before the API request with this number
    std::function<void(World&)> change;
  };
  std::mutex scheduled_mutex_;
  std::uint64_t requests_seen_ = 0;
  std::vector<ScheduledChange> scheduled_;
};

}  // namespace provisio::sim
