// GitLab hook requests, as POST /api/v2/provisioning/gitlab-events reads them once the secret
// matched: the X-Gitlab-Event header and the JSON body, then what the event touches. The input is
//
//   line 1: the X-Gitlab-Event header
//   the rest: the body
//
// Checks, beyond "no crash, no sanitizer report": a refusal says why, and its answer is a 400
// with JSON; an accepted event says what will be done in text a JSON answer can carry; a partial
// sync has something to re-read, and re-reads exactly the id the payload named.

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "core/gitlab_event.hpp"
#include "fuzz_check.hpp"
#include "http/error_response.hpp"
#include "http/gitlab_event_payload.hpp"

namespace {

using namespace provisio;
using fuzz::require;

void refused(const std::string& problem) {
  require(!problem.empty(), "a refused event says why");
  const http::HttpResponse r = http::error_response("/api/v2/provisioning/gitlab-events",
                                                    {ErrorCode::kInvalidArgument, problem});
  require(r.status == 400 && nlohmann::json::accept(r.body), "a refusal is a 400 with JSON");
}

bool holds(const std::set<std::int64_t>& ids, const std::optional<std::int64_t>& id) {
  return id && ids.size() == 1 && *ids.begin() == *id;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view input(reinterpret_cast<const char*>(data), size);
  const auto eol = input.find('\n');
  const std::string hook(input.substr(0, eol));
  const std::string_view body = eol == std::string_view::npos ? "" : input.substr(eol + 1);

  std::string problem;
  const auto event = http::read_gitlab_event(hook, body, problem);
  if (!event) {
    refused(problem);
    return 0;
  }
  require(event->hook == hook, "the header is kept as sent");
  const auto effect = effect_of(*event, problem);
  if (!effect) {
    refused(problem);
    return 0;
  }
  require(!effect->reason.empty() && fuzz::dumps(effect->reason),
          "an accepted event says why in valid text");
  if (effect->action == EventAction::kPartial) {
    const SyncScope& s = effect->scope;
    require(!s.empty(), "a partial sync has something to re-read");
    require((s.groups.empty() || holds(s.groups, event->group_id)) &&
                (s.projects.empty() || holds(s.projects, event->project_id)) &&
                (s.users.empty() || holds(s.users, event->user_id)),
            "a partial sync re-reads only the ids the payload named");
  }
  return 0;
}
