#pragma once
// Explain, as the API and `provisio explain` serve it: why a user holds each permission on a
// project (or belongs to a group), from the server's grants and from GitLab read live for just
// that project or group (neighbourhood.hpp), resolved by the same rules as the sync; or why the
// user holds nothing (unknown user, local user, deactivated, project not bound, automatic
// provisioning off, not a member in GitLab, bot or blocked, role mapped to nothing, ...).
//
// Threading: explain() blocks for a few GitLab round trips; safe to call from several threads
// (each call has its own transport).

#include <optional>
#include <string>
#include <vector>

#include "core/explain.hpp"
#include "core/time.hpp"
#include "gitlab/request_engine.hpp"
#include "store/store.hpp"
#include "sync/sync_service.hpp"

namespace provisio::sync {

struct ExplainRequest {
  std::string login;
  std::optional<std::string> project_key;  // exactly one of project_key and group
  std::optional<std::string> group;        // a group's name (a mirrored group's GitLab full path)
};

struct Explanation {
  std::string login;
  std::optional<std::string> project_key;
  std::optional<std::string> group;
  std::optional<gl::Id> gitlab_user_id;
  std::optional<std::string> gitlab_username;
  std::optional<gl::Id> gitlab_source_id;            // the GitLab project or group read
  std::optional<std::string> gitlab_path;            // its full path
  std::optional<explain::GitlabVerdict> gitlab;      // when GitLab was read
  std::vector<explain::PermissionLine> permissions;  // projects: held or given by GitLab
  std::optional<bool> member;                        // groups: the user is a member here now
  bool member_from_gitlab = false;  // groups: GitLab's access makes the user a member
  // Why the user holds nothing (or nothing from GitLab), each a sentence.
  std::vector<std::string> reasons;
  std::int64_t gitlab_requests = 0;
};

class Explainer {
 public:
  Explainer(store::Store& store, TransportFactory transports, const Clock& clock,
            ProvisioningRules rules = {}, gitlab::EngineOptions engine = {});

  // kNotFound for an unknown login, project key or group name; kInvalidArgument unless exactly
  // one of project_key and group is given; GitLab's error when reading it fails.
  Result<Explanation> explain(const ExplainRequest& request);

 private:
  Result<Explanation> explain_project(const User& user, Explanation out);
  Result<Explanation> explain_group(const User& user, Explanation out);
  // Why GitLab cannot be asked: automatic provisioning off, a user not from GitLab; and the
  // configuration to ask it with otherwise.
  Result<std::optional<GitlabConfig>> gitlab_config(const User& user, Explanation& out);

  store::Store& store_;
  TransportFactory transports_;
  const Clock& clock_;
  ProvisioningRules rules_;
  gitlab::EngineOptions engine_;
};

}  // namespace provisio::sync
