#pragma once
// Which GitLab users are not people (behaviour.md §3): one rule for the full sync, the event sync,
// explain and the GitLab login, so that a bot is skipped the same way wherever it shows up.
//
// GitLab says it outright with the `bot` flag of GET /users/:id and /user, but member listings
// (what the full sync reads) do not carry it; there the names GitLab gives its non-human users
// decide:
//   - project and group access tokens act through `project_<id>_bot_<hex>` and
//     `group_<id>_bot_<hex>` (older GitLabs: `project_<id>_bot<n>`);
//   - service accounts are `service_account_<hex>` (instance), `service_account_group_<id>_<hex>`
//     (group) and `service_account_project_<id>_<hex>` (project), unless created with a chosen
//     username, which only the flag reveals.

#include <string_view>

namespace provisio {

// True for a GitLab bot user: the bot flag, or one of the names above.
bool is_bot(std::string_view username, bool bot_flag);

// The reason every path gives, word for word ("12 bot users skipped: <this>").
inline constexpr std::string_view kBotsNotProvisioned =
    "GitLab bots (access-token users and service accounts) are not provisioned";

}  // namespace provisio
