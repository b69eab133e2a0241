#pragma once
// GitLab's system hooks and group webhooks: the payloads (pure functions, shaped like
// examples/system_hook_*.json and examples/group_webhook_*.json) and the sender that posts them.
//
// Which event a control API change emits:
//   member added / changed / removed in a group   system user_add_to_group, user_update_for_group,
//                                                 user_remove_from_group; group webhook
//                                                 "Member Hook" with the same event_name
//   member added / changed / removed in a project system user_add_to_team,
//                                                 user_update_for_team, user_remove_from_team
//                                                 (GitLab has no project-member webhook)
//   group renamed or moved                        system group_rename
//   group deleted                                 system group_destroy; "Subgroup Hook"
//                                                 subgroup_destroy for a subgroup
//   project renamed / moved / visibility changed  system project_rename / project_transfer /
//                                                 project_update
//   project deleted                               system project_destroy; "Project Hook"
//                                                 project_destroy
//   user blocked / unblocked, token revoked       none (GitLab sends none either)

#include <condition_variable>
#include <cstdint>
#include <deque>
#include <mutex>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "world.hpp"

namespace provisio::sim {

struct HookEvent {
  std::string event_header;  // X-Gitlab-Event: "System Hook", "Member Hook", ...
  nlohmann::ordered_json payload;
};

inline constexpr const char* kSystemHook = "System Hook";
inline constexpr const char* kMemberHook = "Member Hook";
inline constexpr const char* kSubgroupHook = "Subgroup Hook";
inline constexpr const char* kProjectHook = "Project Hook";

// user_create, user_destroy, user_failed_login (with the user's state) and user_rename (with
// the old username). The control API emits none of them; they are here for callers that script
// their own events and for the shape tests.
HookEvent system_user_hook(const std::string& event_name, const User& user, std::int64_t now,
                           const std::optional<std::string>& old_username = std::nullopt);
// `now` is Unix seconds; `level` the membership's access level.
HookEvent system_group_member_hook(const std::string& event_name, const Group& group,
                                   const User& user, int level, std::int64_t now);
HookEvent system_project_member_hook(const std::string& event_name, const Project& project,
                                     const User& user, int level, std::int64_t now);
HookEvent group_member_webhook(const std::string& event_name, const Group& group, const User& user,
                               int level, const std::optional<std::string>& expires_at,
                               std::int64_t now);
// group_create, group_destroy; group_rename with the old path and full path.
HookEvent system_group_hook(
    const std::string& event_name, const Group& group, std::int64_t now,
    const std::optional<std::pair<std::string, std::string>>& old_paths = std::nullopt);
HookEvent subgroup_webhook(const std::string& event_name, const Group& group, const Group& parent,
                           std::int64_t now);
// project_create, project_destroy, project_update; project_rename and project_transfer with
// the old path_with_namespace. Owners are the Owners of the project's group.
HookEvent system_project_hook(
    const std::string& event_name, const World& world, const Project& project, std::int64_t now,
    const std::optional<std::string>& old_path_with_namespace = std::nullopt);
HookEvent project_webhook(const std::string& event_name, const World& world, const Project& project,
                          std::int64_t now);

// Posts events, in order, to one URL from a thread of its own (libcurl, 5 s timeout), so the
// I/O thread never waits for the receiver. Failed deliveries are counted, not retried.
// Thread safety: every method may be called from any thread.
class HookSender {
 public:
  HookSender();
  ~HookSender();  // delivers what is queued (each with its timeout), then joins the thread
  HookSender(const HookSender&) = delete;
  HookSender& operator=(const HookSender&) = delete;

  // An empty URL turns delivery off (events are then dropped and counted as skipped).
  void configure(std::string url, std::string secret);
  void send(HookEvent event);

  struct Stats {
    std::string url;
    std::uint64_t sent = 0;
    std::uint64_t failed = 0;
    std::uint64_t skipped = 0;
    std::size_t queued = 0;
  };
  Stats stats() const;

 private:
  void run();

  mutable std::mutex mutex_;
  std::condition_variable wake_;
  std::deque<HookEvent> queue_;
  std::string url_;
  std::string secret_;
  Stats stats_;
  bool stopping_ = false;
  std::thread thread_;
};

}  // namespace provisio::sim
