#pragma once
// What a GitLab login may do, as pure rules (behaviour.md §2 and §4): whether the user's groups
// let them in, and which of our groups they belong to afterwards. The login service
// (sync/gitlab_login.hpp) reads GitLab and the store, and asks these.
//
// GitLab full paths are hierarchical ("acme/web/api" is below "acme/web") and case-insensitive
// (GitLab refuses "Acme" next to "acme"), so "within an allowed root" is a prefix test that
// ignores case; the names of our groups, though, are matched in exact case. The
// groups a user belongs to in GitLab are the groups they are a member of and every group below
// those; deriving "below" from the paths costs no extra request, whether GitLab's listing already
// includes the subgroups or not.

#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "core/gitlab_types.hpp"
#include "core/group.hpp"

namespace provisio {

// True when `path` is `root` or lies below it ("acme/web" is within "acme", "acme-2" is not).
bool path_within(std::string_view path, std::string_view root);

// True when some path of `user_groups` is within some path of `roots`.
bool any_within(const std::vector<std::string>& user_groups, const std::vector<std::string>& roots);

// The allowlist (behaviour.md §2): nothing when `allowed_roots` is empty or one of the user's
// groups lies in an allowed root group; otherwise the message that refuses the login.
std::optional<std::string> allowlist_refusal(const std::vector<std::string>& user_groups,
                                             const std::set<std::string>& allowed_roots);

// Just-in-Time group sync (behaviour.md §2, [decided, security]): which of our groups a login
// joins and leaves, and what it refused to do. A group is wanted when its name equals, in exact
// case, one of the user's GitLab group paths or lies below one (GitLab lists the groups one is a
// member of; their subgroups are inherited). Safe by construction:
//   - with an allowlist, only paths inside the allowed roots count (a root group anyone can make
//     in GitLab, named like one of ours, is ignored);
//   - a privileged group (holding a global administrative permission) is never joined or left
//     unless the operator listed its name in `managed_privileged`;
//   - JIT never creates groups, and the default group is left alone (every active user is in it).
// Each refusal that changes the outcome (a group that would have been joined or left) is
// reported, for the log and the audit.
struct JitGroupRules {
  std::set<std::string> allowed_roots;       // root-group slugs; empty: no allowlist
  std::set<GroupId> privileged;              // our groups holding admin, gateadmin, ...
  std::set<std::string> managed_privileged;  // privileged group names JIT may manage anyway
};

struct JitRefusal {
  GroupId group = 0;
  std::string name;
  bool join = true;  // false: leaving it was refused
  std::string reason;
};

struct JitMemberships {
  std::vector<GroupId> join;   // by id
  std::vector<GroupId> leave;  // by id
  std::vector<JitRefusal> refused;
};

JitMemberships jit_memberships(const std::vector<std::string>& user_groups,
                               const std::vector<Group>& groups, const std::set<GroupId>& current,
                               const JitGroupRules& rules);

// The global permissions that make a group privileged for JIT.
bool is_administrative_permission(std::string_view global_permission);

// Automatic provisioning: which managed groups the login proves the user belongs to. A managed
// group mirrors the GitLab group whose id it carries; the user's listed groups are matched by id
// (so a group renamed in GitLab since the last sync still matches), then every managed group
// whose name lies below a matched one is included (membership is inherited by subgroups).
std::set<GroupId> managed_groups_of(const std::vector<gl::Group>& listed,
                                    const std::vector<Group>& managed);

// A membership the login's listing does not show may still hold through a group invited into the
// managed group or one of its ancestors (GitLab lists only groups one is a member of). True when
// one of `shares` (those of the group and of its ancestors), not expired on `today`, invites a
// group that the user belongs to, that is, a group within one of `user_groups`.
bool reached_through_share(const std::vector<gl::Share>& shares,
                           const std::vector<std::string>& user_groups, const gl::Date& today);

// The ancestors of a managed group among `managed`, by name ("a/b/c" has "a/b" and "a").
std::vector<const Group*> managed_ancestors(const Group& group, const std::vector<Group>& managed);

}  // namespace provisio
