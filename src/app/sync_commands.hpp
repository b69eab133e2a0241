#pragma once
// The commands that drive GitLab provisioning without the HTTP server (api.md, command line):
// gitlab configure, project create / bind, sync, status. Same rules as the API.

#include <optional>
#include <string>

#include "app/settings.hpp"

namespace provisio::app {

// Secrets can come from a file (or standard input, "-") instead of the command line, where `ps`
// and the shell's history would show them; a secret and its file together are refused.
struct ConfigureOptions {
  std::optional<std::string> enabled, url, application_id, secret, token, allowed_groups, mode,
      sync_groups, allow_signup, webhook_secret, jit_privileged_groups;
  std::optional<std::string> secret_file, token_file, webhook_secret_file;
};
int run_gitlab_configure(const Settings& settings, const ConfigureOptions& options);

int run_project_create(const Settings& settings, const std::string& key, const std::string& name,
                       const std::string& visibility);
int run_project_bind(const Settings& settings, const std::string& key,
                     const std::string& gitlab_project_id);

struct SyncCommandOptions {
  bool dry_run = false;
  bool json = false;
  std::optional<std::int64_t> confirm;
};
int run_sync(const Settings& settings, const SyncCommandOptions& options);

int run_status(const Settings& settings, bool json);

struct ExplainOptions {
  std::string login;
  std::string project;  // a project key, or
  std::string group;    // a group's name
  bool json = false;
};
// Why the user holds each permission on the project (or belongs to the group); explain_command.cpp.
int run_explain(const Settings& settings, const ExplainOptions& options);

}  // namespace provisio::app
