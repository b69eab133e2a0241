// GitLab system hooks and group webhooks (api.md: POST /api/v2/provisioning/gitlab-events).
// GitLab authenticates with the shared secret in X-Gitlab-Token, checked in constant time before
// anything else of the request is read. The payload only says where to look (core/gitlab_event):
// the partial sync re-reads that from GitLab with the provisioning token.
//
// Answers: 401 for a missing secret (here or in the request) or a wrong one, and nothing is
// queued; 400 for what is not a GitLab hook (no X-Gitlab-Event "... Hook", no event_name, an id
// missing) and while automatic provisioning is off; 200 for a GitLab event no permission
// depends on (a push, an access request...) — a 4xx there would count as a failed delivery,
// and GitLab disables a group webhook that keeps failing, which would stop the membership events
// that share it; 202 with the task for an event that queues a sync.
#include "auth/tokens.hpp"
#include "http/gitlab_event_payload.hpp"
#include "http/handler_support.hpp"
#include "http/handlers.hpp"

namespace provisio::http {
namespace {

const char* action_name(EventAction a) {
  switch (a) {
    case EventAction::kPartial:
      return "PARTIAL_SYNC";
    case EventAction::kFull:
      return "FULL_SYNC";
    case EventAction::kIgnore:
      return "IGNORED";
  }
  return "IGNORED";
}

}  // namespace

Result<HttpResponse> receive_gitlab_event(ApiContext& context, const HttpRequest& request,
                                          const Caller&) {
  if (!context.queue_event) {
    return tl::unexpected(
        Error{ErrorCode::kUnavailable, "This server does not receive GitLab events."});
  }
  std::optional<std::string> secret = context.webhook_secret;
  auto config = context.store.load_gitlab_config();
  if (!config) return fail(config);
  if (!secret && *config) secret = (*config)->webhook_secret;
  if (!secret || secret->empty()) {
    return tl::unexpected(Error{
        ErrorCode::kUnauthenticated,
        "No GitLab webhook secret is set on this server, so no event is accepted: set one with "
        "'provisio gitlab configure --webhook-secret' (or PROVISIO_GITLAB_WEBHOOK_SECRET) and "
        "give GitLab the same as the hook's secret token."});
  }
  const auto token = request.header("X-Gitlab-Token");
  if (!token) {
    return tl::unexpected(Error{ErrorCode::kUnauthenticated,
                                "The X-Gitlab-Token header is missing: set the hook's secret "
                                "token in GitLab to this server's webhook secret."});
  }
  if (!auth::constant_time_equals(*token, *secret)) {
    return tl::unexpected(Error{ErrorCode::kUnauthenticated,
                                "The X-Gitlab-Token does not match this server's webhook secret."});
  }
  std::string problem;
  const auto event = read_gitlab_event(std::string(request.header("X-Gitlab-Event").value_or("")),
                                       request.body, problem);
  if (!event) return tl::unexpected(invalid(problem));
  const auto effect = effect_of(*event, problem);
  if (!effect) return tl::unexpected(invalid(problem));
  const bool automatic = *config && (*config)->enabled &&
                         (*config)->provisioning_type == ProvisioningType::kAutoProvisioning;
  if (!automatic) {
    return tl::unexpected(Error{ErrorCode::kFailedPrecondition,
                                "Automatic provisioning is not enabled: GitLab events are not "
                                "used. Turn it on, or remove the hook in GitLab."});
  }
  if (effect->action == EventAction::kIgnore) {
    return ok(Json{
        {"action", action_name(effect->action)}, {"taskId", nullptr}, {"message", effect->reason}});
  }
  auto task = context.queue_event(*effect);
  if (!task) {
    if (effect->action == EventAction::kFull && task.error().code == ErrorCode::kAlreadyExists) {
      return ok(Json{{"action", action_name(effect->action)},
                     {"taskId", nullptr},
                     {"message", effect->reason + " (one is already pending)"}},
                202);
    }
    return fail(task);
  }
  // A flood of events becomes one full sync (Store::queue_event_scope): say so.
  const bool full = task->type == TaskType::kGitlabAuthProvisioning;
  return ok(Json{{"action", action_name(full ? EventAction::kFull : effect->action)},
                 {"taskId", std::to_string(task->id)},
                 {"message", full && effect->action != EventAction::kFull
                                 ? effect->reason + " (with the other pending changes, by a full "
                                                    "synchronization)"
                                 : effect->reason}},
            202);
}

}  // namespace provisio::http
