#pragma once
// Start here for "Log in with GitLab" after the browser comes back (behaviour.md §2 and §4): the
// code becomes the user's token, GitLab says who the user is (and, when needed, their groups),
// and the mode decides what happens:
//   - Just-in-Time: a known user comes in; an unknown one is created when sign-up is allowed;
//     with group sync on, memberships follow the user's GitLab groups onto existing groups;
//     the allowlist of root groups is enforced whenever it is set.
//   - Automatic provisioning: only users the sync provisioned come in; with group sync on, their
//     memberships of managed groups are refreshed by the same rule as the full sync.
// Name and email are refreshed at every login; an email held by another account refuses the
// login without saying whose. Every change is written in one transaction with its audit rows,
// so a refused or failed login leaves nothing half made.
//
// Threading: complete() may run on several threads at once (one transport per call).

#include <string>
#include <vector>

#include "core/error.hpp"
#include "core/gitlab_config.hpp"
#include "core/time.hpp"
#include "core/user.hpp"
#include "store/store.hpp"
#include "sync/sync_service.hpp"

namespace provisio::sync {

// The scope a login asks for (behaviour.md §4, least privilege): `read_api` when Provisio must read
// the user's groups (group sync on, or an allowlist to enforce in Just-in-Time mode), else
// `read_user`. Never the write scope `api`.
std::string login_scope(const GitlabConfig& config);

struct LoginCallback {
  std::string code;
  std::string code_verifier;
  std::string redirect_uri;
};

struct LoginSuccess {
  User user;
  bool created = false;
  std::int64_t gitlab_requests = 0;  // the token exchange included
  // What Just-in-Time group sync refused to do (audited too), for the log.
  std::vector<std::string> refusals;
};

// Why a login did not happen: `message` is for the person at the browser (no account names, no
// secrets); `detail` is for the log.
struct LoginFailure {
  std::string message;
  std::string detail;
  ErrorCode code = ErrorCode::kPermissionDenied;  // kPermissionDenied: a refusal by the rules
};

class GitlabLogin {
 public:
  // `metrics` (not owned; may be null) counts the login's GitLab requests.
  GitlabLogin(store::Store& store, TransportFactory transports, const Clock& clock,
              metrics::Registry* metrics = nullptr);

  tl::expected<LoginSuccess, LoginFailure> complete(const LoginCallback& callback);

 private:
  store::Store& store_;
  TransportFactory transports_;
  const Clock& clock_;
  metrics::Registry* metrics_;
};

}  // namespace provisio::sync
