#include "hooks.hpp"

#include <curl/curl.h>
#include <spdlog/spdlog.h>

#include "effective_access.hpp"
#include "time_format.hpp"

namespace provisio::sim {
namespace {

using nlohmann::ordered_json;

// Hook timestamps: "2012-07-21T07:30:54Z".
std::string at(std::int64_t now) { return iso_timestamp_seconds(now); }

ordered_json project_owners(const World& world, const Project& project, std::int64_t now) {
  ordered_json owners = ordered_json::array();
  for (const EffectiveMember& m :
       effective_members(world, SourceKind::kGroup, project.namespace_id, iso_date(now))) {
    if (m.access_level < kOwner) continue;
    if (const User* u = world.user(m.user_id)) {
      owners.push_back({{"name", u->name}, {"email", u->email}});
    }
  }
  return owners;
}

}  // namespace

HookEvent system_user_hook(const std::string& event_name, const User& user, std::int64_t now,
                           const std::optional<std::string>& old_username) {
  ordered_json p{{"event_name", event_name}, {"created_at", at(now)}, {"updated_at", at(now)},
                 {"name", user.name},        {"email", user.email},   {"user_id", user.id},
                 {"username", user.username}};
  if (old_username) p["old_username"] = *old_username;
  if (event_name == "user_failed_login") p["state"] = user.state;
  return {kSystemHook, std::move(p)};
}

HookEvent system_group_member_hook(const std::string& event_name, const Group& group,
                                   const User& user, int level, std::int64_t now) {
  return {kSystemHook,
          {{"created_at", at(now)},
           {"updated_at", at(now)},
           {"event_name", event_name},
           {"group_access", role_name(level)},
           {"group_id", group.id},
           {"group_name", group.name},
           {"group_path", group.path},
           {"user_email", user.email},
           {"user_name", user.name},
           {"user_username", user.username},
           {"user_id", user.id}}};
}

HookEvent system_project_member_hook(const std::string& event_name, const Project& project,
                                     const User& user, int level, std::int64_t now) {
  return {kSystemHook,
          {{"created_at", at(now)},
           {"updated_at", at(now)},
           {"event_name", event_name},
           {"access_level", role_name(level)},
           {"project_id", project.id},
           {"project_name", project.name},
           {"project_path", project.path},
           {"project_path_with_namespace", project.path_with_namespace},
           {"user_email", user.email},
           {"user_name", user.name},
           {"user_username", user.username},
           {"user_id", user.id},
           {"project_visibility", project.visibility}}};
}

HookEvent group_member_webhook(const std::string& event_name, const Group& group, const User& user,
                               int level, const std::optional<std::string>& expires_at,
                               std::int64_t now) {
  return {kMemberHook,
          {{"created_at", at(now)},
           {"updated_at", at(now)},
           {"group_name", group.name},
           {"group_path", group.path},
           {"group_id", group.id},
           {"user_username", user.username},
           {"user_name", user.name},
           {"user_email", user.public_email.empty() ? "[REDACTED]" : user.public_email},
           {"user_id", user.id},
           {"group_access", role_name(level)},
           {"group_plan", nullptr},
           {"expires_at", expires_at ? ordered_json(*expires_at + "T00:00:00Z") : nullptr},
           {"event_name", event_name}}};
}

HookEvent system_group_hook(const std::string& event_name, const Group& group, std::int64_t now,
                            const std::optional<std::pair<std::string, std::string>>& old_paths) {
  ordered_json p{{"created_at", at(now)},
                 {"updated_at", at(now)},
                 {"event_name", event_name},
                 {"name", group.name},
                 {"path", group.path}};
  if (old_paths) p["full_path"] = group.full_path;
  p["group_id"] = group.id;
  if (old_paths) {
    p["old_path"] = old_paths->first;
    p["old_full_path"] = old_paths->second;
  }
  return {kSystemHook, std::move(p)};
}

HookEvent subgroup_webhook(const std::string& event_name, const Group& group, const Group& parent,
                           std::int64_t now) {
  return {kSubgroupHook,
          {{"created_at", at(now)},
           {"updated_at", at(now)},
           {"event_name", event_name},
           {"name", group.name},
           {"path", group.path},
           {"full_path", group.full_path},
           {"group_id", group.id},
           {"parent_group_id", parent.id},
           {"parent_name", parent.name},
           {"parent_path", parent.path},
           {"parent_full_path", parent.full_path}}};
}

HookEvent system_project_hook(const std::string& event_name, const World& world,
                              const Project& project, std::int64_t now,
                              const std::optional<std::string>& old_path_with_namespace) {
  const ordered_json owners = project_owners(world, project, now);
  const std::string owner_name = owners.empty() ? "" : owners[0]["name"].get<std::string>();
  const std::string owner_email = owners.empty() ? "" : owners[0]["email"].get<std::string>();
  ordered_json p{{"created_at", at(now)},
                 {"updated_at", at(now)},
                 {"event_name", event_name},
                 {"name", project.name},
                 {"owner_email", owner_email},
                 {"owner_name", owner_name},
                 {"owners", owners},
                 {"path", project.path},
                 {"path_with_namespace", project.path_with_namespace},
                 {"project_id", project.id},
                 {"project_namespace_id", project.namespace_id},
                 {"project_visibility", project.visibility}};
  if (old_path_with_namespace) p["old_path_with_namespace"] = *old_path_with_namespace;
  return {kSystemHook, std::move(p)};
}

HookEvent project_webhook(const std::string& event_name, const World& world, const Project& project,
                          std::int64_t now) {
  return {kProjectHook,
          {{"event_name", event_name},
           {"created_at", at(now)},
           {"updated_at", at(now)},
           {"name", project.name},
           {"path", project.path},
           {"path_with_namespace", project.path_with_namespace},
           {"project_id", project.id},
           {"project_namespace_id", project.namespace_id},
           {"owners", project_owners(world, project, now)},
           {"project_visibility", project.visibility}}};
}

HookSender::HookSender() : thread_([this] { run(); }) {}

HookSender::~HookSender() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  wake_.notify_all();
  thread_.join();
}

void HookSender::configure(std::string url, std::string secret) {
  std::lock_guard lock(mutex_);
  url_ = std::move(url);
  secret_ = std::move(secret);
  stats_.url = url_;
}

void HookSender::send(HookEvent event) {
  {
    std::lock_guard lock(mutex_);
    if (url_.empty()) {
      ++stats_.skipped;
      return;
    }
    queue_.push_back(std::move(event));
  }
  wake_.notify_all();
}

HookSender::Stats HookSender::stats() const {
  std::lock_guard lock(mutex_);
  Stats out = stats_;
  out.queued = queue_.size();
  return out;
}

void HookSender::run() {
  while (true) {
    HookEvent event;
    std::string url;
    std::string secret;
    {
      std::unique_lock lock(mutex_);
      wake_.wait(lock, [this] { return stopping_ || !queue_.empty(); });
      if (queue_.empty()) return;
      event = std::move(queue_.front());
      url = url_;
      secret = secret_;
    }
    const std::string body = event.payload.dump();
    bool ok = false;
    if (CURL* curl = curl_easy_init()) {
      curl_slist* headers = nullptr;
      headers = curl_slist_append(headers, "Content-Type: application/json");
      headers = curl_slist_append(headers, ("X-Gitlab-Event: " + event.event_header).c_str());
      if (!secret.empty()) {
        headers = curl_slist_append(headers, ("X-Gitlab-Token: " + secret).c_str());
      }
      curl_easy_setopt(curl, CURLOPT_URL, url.c_str());
      curl_easy_setopt(curl, CURLOPT_HTTPHEADER, headers);
      curl_easy_setopt(curl, CURLOPT_POSTFIELDS, body.c_str());
      curl_easy_setopt(curl, CURLOPT_POSTFIELDSIZE, static_cast<long>(body.size()));
      curl_easy_setopt(curl, CURLOPT_TIMEOUT_MS, 5000L);
      curl_easy_setopt(curl, CURLOPT_NOSIGNAL, 1L);
      curl_easy_setopt(
          curl, CURLOPT_WRITEFUNCTION,
          +[](char*, size_t size, size_t n, void*) { return size * n; });
      const CURLcode rc = curl_easy_perform(curl);
      long status = 0;
      curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &status);
      ok = rc == CURLE_OK && status >= 200 && status < 300;
      if (!ok)
        spdlog::warn("hook delivery failed: curl {} status {}", static_cast<int>(rc), status);
      curl_slist_free_all(headers);
      curl_easy_cleanup(curl);
    }
    std::lock_guard lock(mutex_);
    queue_.pop_front();
    ++(ok ? stats_.sent : stats_.failed);
  }
}

}  // namespace provisio::sim
