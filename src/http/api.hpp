#pragma once
// Start here for the Web API (api.md). Every route is one row of a plain table (api_routes.hpp):
// method, path pattern, who may call it, a one-line summary, and a handler. A handler is a thin
// adapter: parse and validate the input (request_input.hpp), call the store or a sync service,
// map the result to JSON (api_json.hpp). It returns errors as values; one place turns them into
// the v1 or v2 error body.
//
// Threading: handlers run on the HTTP worker pool (server.hpp), several at once; everything they
// share (Store, Authenticator, Clock, the GitLab check) is thread-safe.

#include <functional>
#include <optional>
#include <string>

#include "auth/address_throttle.hpp"
#include "auth/authenticator.hpp"
#include "core/error.hpp"
#include "core/gitlab_check_result.hpp"
#include "core/gitlab_config.hpp"
#include "core/gitlab_event.hpp"
#include "core/task.hpp"
#include "core/time.hpp"
#include "core/user.hpp"
#include "http/http_types.hpp"
#include "http/system_handlers.hpp"
#include "metrics/registry.hpp"
#include "store/secret_box.hpp"
#include "store/store.hpp"
#include "sync/explain.hpp"
#include "sync/gitlab_login.hpp"
#include "sync/plan_preview.hpp"

namespace provisio::http {

// Who may call a route. Anonymous callers of a non-public route get 401; authenticated callers
// without the global `admin` permission get 403 on an admin route.
enum class Access { kPublic, kAuthenticated, kAdmin };
std::string_view to_string(Access access);

struct Caller {
  std::optional<User> user;  // empty: anonymous
  bool admin = false;        // holds the global `admin` permission (directly or via a group)
  std::optional<store::SessionRecord> session;  // set when authenticated by a session cookie

  bool authenticated() const { return user.has_value(); }
  std::string login() const { return user ? user->login : "anonymous"; }
};

// The live check of a GitLab configuration (its URL and provisioning token) shown as
// `errorMessage` (nothing when the configuration works) and `warnings` (the token expires
// soon). Blocks for a short network round trip.
using GitlabCheck = std::function<GitlabCheckResult(const GitlabConfig&)>;

// Explains a user's access to a project or group (sync/explain.hpp); reads GitLab live.
using Explain = std::function<Result<sync::Explanation>(const sync::ExplainRequest&)>;

// Queues a full sync for `submitter`; kAlreadyExists while one is pending or running.
using SyncRequester = std::function<Result<Task>(const std::string& submitter)>;

// Applies exactly the plan the guard held back for a task, as a new task; kNotFound when that
// task has no held plan, kAlreadyExists while another sync is pending or running.
using PlanConfirmer = std::function<Result<Task>(TaskId held, const std::string& submitter)>;

// Queues the sync a GitLab event calls for (core/gitlab_event.hpp): the partial sync of its
// scope, merged into one still pending, or a full sync (kAlreadyExists when one is pending).
using EventQueuer = std::function<Result<Task>(const EventEffect& effect)>;

// The plan preview (sync/plan_preview.hpp): the latest dry run, computing a fresh one when due.
using PlanPreviewer = std::function<sync::PreviewState(bool refresh)>;

// What the handlers work with. Outlives the server.
struct ApiContext {
  store::Store& store;
  const Clock& clock;
  auth::Authenticator& authenticator;
  SyncRequester request_sync;
  GitlabCheck check_gitlab;     // empty: no live check, errorMessage stays null
  bool secure_cookies = false;  // cookies get Secure and __Host- (the server URL is https)
  SystemInfo system;
  PlanConfirmer confirm_plan;  // empty: confirming answers 503
  // "Log in with GitLab": the login service and the key that seals the flow's cookie; without
  // either, GitLab login answers with a message instead of starting.
  sync::GitlabLogin* gitlab_login = nullptr;
  std::shared_ptr<const store::SecretBox> secrets;
  // The address users reach the server at, for the OAuth redirect URI; empty: taken from the
  // request's Host header.
  std::string server_url;
  Explain explain;  // empty: explaining answers 503
  // Where HTTP requests and logins are counted, and what GET /metrics renders; null: no metrics.
  metrics::Registry* metrics = nullptr;
  // GET /metrics without authentication (for a scraper on a trusted network); by default it
  // needs an administrator's token, like every other read of the server's state.
  bool metrics_public = false;
  EventQueuer queue_event;  // empty: GitLab events answer 503
  // PROVISIO_GITLAB_WEBHOOK_SECRET: when set, X-Gitlab-Token is checked against it instead of the
  // secret of the GitLab configuration.
  std::optional<std::string> webhook_secret;
  PlanPreviewer plan_preview;  // empty: the plan preview answers 503
  // gitlab_allow_http: GitLab URLs may be http:// to hosts other than loopback ones.
  bool allow_http_gitlab = false;
  // The GitLab login's start and callback, per client address: an anonymous caller makes the
  // server write a row (start) or call GitLab (callback) with each.
  std::shared_ptr<auth::AddressThrottle> gitlab_login_throttle =
      std::make_shared<auth::AddressThrottle>(30, 60'000);
};

using ApiHandler = std::function<Result<HttpResponse>(const HttpRequest&, const Caller&)>;

struct ApiRoute {
  std::string method;
  std::string pattern;
  Access access = Access::kAdmin;
  std::string summary;
  ApiHandler handler;
};

}  // namespace provisio::http
