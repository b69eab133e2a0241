#include "generator.hpp"

#include <algorithm>
#include <array>
#include <set>

#include "prng.hpp"
#include "time_format.hpp"

namespace provisio::sim {
namespace {

constexpr Id kRoot = 1;
constexpr Id kProvisioner = 2;
constexpr Id kBlockedTokenUser = 3;
constexpr Id kAcme = 1;
constexpr Id kUmbrella = 2;
constexpr Id kOutside = 3;
constexpr Id kAuditorRole = 1;
constexpr std::int64_t kEpoch = 1577836800;  // 2020-01-01
constexpr const char* kPastExpiry = "2024-01-15";
constexpr const char* kFutureExpiry = "2099-12-31";

constexpr std::array kFirst = {"Ada",  "Ben",   "Chloe", "Dmitri", "Elena", "Farid", "Grace",
                               "Hiro", "Ines",  "Jonas", "Kira",   "Liam",  "Mona",  "Nils",
                               "Olga", "Pedro", "Qing",  "Rosa",   "Sven",  "Tara"};
constexpr std::array kLast = {"Anders", "Brook",    "Costa",   "Dubois", "Eriksen",  "Fischer",
                              "Garcia", "Hansen",   "Ivanova", "Jensen", "Kowalski", "Lopez",
                              "Moreau", "Nakamura", "Okafor",  "Petrov", "Quinn",    "Rossi"};
constexpr std::array kTeams = {"platform", "payments", "search",  "mobile",   "infra", "data",
                               "security", "web",      "billing", "identity", "ml",    "docs"};

std::string stamp(std::int64_t minutes) { return iso_timestamp(kEpoch + minutes * 60); }

// 32 hex digits, as GitLab's random suffixes of service account names.
std::string hex_of(std::uint64_t v) {
  static constexpr char kDigits[] = "0123456789abcdef";
  std::string out;
  SplitMix64 more(v);
  for (int i = 0; i < 2; ++i) {
    std::uint64_t x = more.next();
    for (int d = 0; d < 16; ++d, x >>= 4) out.push_back(kDigits[x & 0xf]);
  }
  return out;
}

// A level for an ordinary membership: mostly Guest to Developer, some Planner and Maintainer.
int pick_level(SplitMix64& rng) {
  const auto r = rng.below(100);
  if (r < 20) return kGuest;
  if (r < 30) return kPlanner;
  if (r < 55) return kReporter;
  if (r < 85) return kDeveloper;
  if (r < 97) return kMaintainer;
  return kOwner;
}

Member make_member(SplitMix64& rng, Id user_id, int level, bool allow_minimal) {
  Member m;
  m.user_id = user_id;
  m.access_level = level;
  if (allow_minimal && rng.chance(0.03)) m.access_level = kMinimalAccess;
  if (m.access_level == kReporter && rng.chance(0.1)) m.member_role_id = kAuditorRole;
  const auto e = rng.below(100);
  if (e == 0) m.expires_at = kPastExpiry;
  if (e == 1 || e == 2) m.expires_at = kFutureExpiry;
  m.created_by = kProvisioner;
  return m;
}

std::string visibility(SplitMix64& rng) {
  const auto r = rng.below(10);
  return r < 7 ? "private" : r < 9 ? "internal" : "public";
}

// GitLab allows no subgroup or project more open than the group it is in ("the visibility level
// ... is not allowed since the parent group has a ... visibility"), so a visible group always has
// readable ancestors.
std::string no_more_open_than(std::string vis, const std::string& container) {
  const auto rank = [](const std::string& v) {
    return v == "public" ? 2 : v == "internal" ? 1 : 0;
  };
  return rank(vis) > rank(container) ? container : vis;
}

// Picks `count` distinct users among [first, last].
std::vector<Id> pick_users(SplitMix64& rng, Id first, Id last, std::int64_t count) {
  std::set<Id> picked;
  count = std::min<std::int64_t>(count, last - first + 1);
  while (static_cast<std::int64_t>(picked.size()) < count) {
    picked.insert(rng.between(first, last));
  }
  return {picked.begin(), picked.end()};
}

}  // namespace

std::optional<GeneratorOptions> preset(const std::string& name) {
  if (name == "S") return GeneratorOptions{500, 50, 3, 200, 1, false};
  if (name == "M") return GeneratorOptions{10000, 2000, 4, 20000, 1, true};
  if (name == "L") return GeneratorOptions{100000, 10000, 4, 100000, 1, true};
  return std::nullopt;
}

Result<World> generate_world(const GeneratorOptions& o) {
  if (o.groups < 3 || o.users < 4 || o.depth < 1 || o.projects < 0) {
    return make_error(ErrorCode::kInvalidArgument,
                      "a world needs at least 3 groups, 4 users and a depth of 1");
  }
  SplitMix64 rng(o.seed);

  // --- users ---
  std::vector<User> users;
  users.reserve(static_cast<std::size_t>(o.users));
  const std::int64_t bots = std::max<std::int64_t>(2, o.users / 1000);
  const std::int64_t blocked = std::max<std::int64_t>(3, o.users / 200);
  for (Id id = 1; id <= o.users; ++id) {
    User u;
    u.id = id;
    if (id == kRoot) {
      u.username = "root";
      u.name = "Administrator";
      u.is_admin = true;
    } else if (id == kProvisioner) {
      u.username = "provisioner";
      u.name = "Provisioning Owner";
    } else {
      const char* first = kFirst[rng.below(kFirst.size())];
      const char* last = kLast[rng.below(kLast.size())];
      u.name = std::string(first) + " " + last;
      u.username = std::string(first) + "." + last + "." + std::to_string(id);
      std::transform(u.username.begin(), u.username.end(), u.username.begin(),
                     [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    }
    u.email = u.username + "@example.com";
    if (rng.chance(0.3)) u.public_email = u.email;
    u.created_at = stamp(id);
    users.push_back(std::move(u));
  }
  // Bots at the end, blocked users spread over the middle; user 3 is always blocked (its token
  // shows the blocked answer).
  // Half are project access tokens' bots, half service accounts (the group's and the instance's
  // in turn): GitLab flags both `bot`, but only their names tell them in member listings.
  for (std::int64_t i = 0; i < bots; ++i) {
    User& u = users[static_cast<std::size_t>(o.users - 1 - i)];
    u.bot = true;
    const std::string hex = hex_of(static_cast<std::uint64_t>(u.id));
    if (i % 2 == 0) {
      // GitLab names the bot of a project access token project_<project id>_bot_<hex>.
      u.username = "project_" + std::to_string(1000 + i) + "_bot_" + std::to_string(u.id);
    } else if (i % 4 == 1) {
      u.username = "service_account_group_" + std::to_string(kAcme) + "_" + hex;
    } else {
      u.username = "service_account_" + hex;
    }
    u.name = i % 2 == 0 ? "Bot " + std::to_string(u.id) : "Service account user";
    u.email = u.username + "@noreply.example.com";
    u.public_email.clear();
  }
  users[kBlockedTokenUser - 1].state = "blocked";
  for (std::int64_t i = 1; i < blocked; ++i) {
    users[static_cast<std::size_t>(3 + rng.below(static_cast<std::uint64_t>(o.users - 3 - bots)))]
        .state = "blocked";
  }
  const Id first_regular = 3;
  const Id last_human = o.users - bots;

  // --- groups: three roots, then a tree of depth <= o.depth under them ---
  std::vector<Group> groups;
  std::vector<int> depth_of(static_cast<std::size_t>(o.groups) + 1, 1);
  std::array<std::vector<Id>, 3> open_by_root;  // groups that may still get children
  const auto add_group = [&](Id id, std::string name, std::string path, std::optional<Id> parent,
                             std::string vis) {
    Group g;
    g.id = id;
    g.name = std::move(name);
    g.path = std::move(path);
    g.parent_id = parent;
    g.visibility = std::move(vis);
    g.description = "Group " + g.name;
    g.created_at = stamp(100000 + id);
    groups.push_back(std::move(g));
  };
  add_group(kAcme, "Acme", "acme", std::nullopt, "private");
  // Public, so that the worlds hold public groups and projects below it (nothing may be more
  // open than its group); acme and outside are private.
  add_group(kUmbrella, "Umbrella", "umbrella", std::nullopt, "public");
  add_group(kOutside, "Outside", "outside", std::nullopt, "private");
  std::vector<Id> root_of(static_cast<std::size_t>(o.groups) + 1, 0);
  for (Id r = 1; r <= 3; ++r) {
    root_of[static_cast<std::size_t>(r)] = r;
    if (o.depth > 1) open_by_root[static_cast<std::size_t>(r - 1)].push_back(r);
  }
  for (Id id = 4; id <= o.groups && o.depth > 1; ++id) {
    const auto w = rng.below(10);
    const Id root = w < 6 ? kAcme : w < 9 ? kUmbrella : kOutside;
    auto& open = open_by_root[static_cast<std::size_t>(root - 1)];
    const Id parent = rng.chance(0.3) ? root : open[rng.below(open.size())];
    const int depth = depth_of[static_cast<std::size_t>(parent)] + 1;
    depth_of[static_cast<std::size_t>(id)] = depth;
    root_of[static_cast<std::size_t>(id)] = root;
    const std::string team = kTeams[rng.below(kTeams.size())];
    std::string vis = visibility(rng);
    add_group(
        id, team + " " + std::to_string(id), team + "-" + std::to_string(id), parent,
        no_more_open_than(std::move(vis), groups[static_cast<std::size_t>(parent - 1)].visibility));
    if (depth < o.depth) open.push_back(id);
  }
  const Id group_count = static_cast<Id>(groups.size());

  // --- projects ---
  std::vector<Project> projects;
  projects.reserve(static_cast<std::size_t>(o.projects));
  for (Id id = 1; id <= o.projects; ++id) {
    Project p;
    p.id = id;
    p.namespace_id = rng.between(1, group_count);
    const std::string team = kTeams[rng.below(kTeams.size())];
    p.path = team + "-service-" + std::to_string(id);
    p.name = team + " service " + std::to_string(id);
    p.visibility = no_more_open_than(
        visibility(rng), groups[static_cast<std::size_t>(p.namespace_id - 1)].visibility);
    p.archived = rng.chance(0.05);
    p.description = "Project " + p.name;
    p.created_at = stamp(200000 + id);
    projects.push_back(std::move(p));
  }

  // --- memberships ---
  std::map<Id, std::vector<Member>> group_members;
  const auto add = [](std::vector<Member>& list, Member m) {
    for (const Member& existing : list) {
      if (existing.user_id == m.user_id) return;
    }
    list.push_back(std::move(m));
  };
  for (Id root : {kAcme, kUmbrella}) {
    Member owner;
    owner.user_id = kProvisioner;
    owner.access_level = kOwner;
    owner.created_by = kRoot;
    group_members[root].push_back(owner);
  }
  if (o.large_shape) {
    // Every user is a direct member of acme.
    auto& acme = group_members[kAcme];
    for (Id u = first_regular; u <= o.users; ++u) {
      acme.push_back(make_member(rng, u, rng.chance(0.8) ? kGuest : pick_level(rng), true));
    }
  } else {
    for (Id root : {kAcme, kUmbrella, kOutside}) {
      const std::int64_t count = root == kOutside ? 20 : 40;
      for (Id u : pick_users(rng, first_regular, last_human, count)) {
        add(group_members[root], make_member(rng, u, pick_level(rng), true));
      }
    }
  }
  const std::int64_t per_group = o.large_shape ? 15 : 10;
  for (Id g = 4; g <= group_count; ++g) {
    const std::int64_t count = std::max<std::int64_t>(1, per_group - 5 + rng.between(0, 10));
    for (Id u : pick_users(rng, first_regular, o.users, count)) {
      add(group_members[g], make_member(rng, u, pick_level(rng), false));
    }
  }
  std::map<Id, std::vector<Member>> project_members;
  for (Id p = 1; p <= o.projects; ++p) {
    std::int64_t count = rng.between(0, 8);
    if (o.large_shape && rng.chance(0.02)) count = rng.between(50, 100);
    if (count == 0) continue;
    auto& list = project_members[p];
    for (Id u : pick_users(rng, first_regular, o.users, count)) {
      add(list, make_member(rng, u, pick_level(rng), false));
    }
  }

  // --- shares ---
  std::vector<GroupShare> group_shares;
  std::vector<ProjectShare> project_shares;
  const auto share_level = [&] {
    constexpr std::array kLevels = {kGuest, kReporter, kDeveloper, kMaintainer};
    return kLevels[rng.below(kLevels.size())];
  };
  const auto share_expiry = [&]() -> std::optional<std::string> {
    const auto r = rng.below(20);
    if (r == 0) return kPastExpiry;
    if (r == 1) return kFutureExpiry;
    return std::nullopt;
  };
  // Groups under a root, for picking share ends.
  std::array<std::vector<Id>, 3> under_root;
  for (Id g = 1; g <= group_count; ++g) {
    under_root[static_cast<std::size_t>(root_of[static_cast<std::size_t>(g)] - 1)].push_back(g);
  }
  const auto any_in = [&](Id root) {
    const auto& list = under_root[static_cast<std::size_t>(root - 1)];
    return list[rng.below(list.size())];
  };
  const std::int64_t group_share_count = o.large_shape ? group_count / 10 : 4;
  const std::int64_t project_share_count = o.large_shape ? o.projects / 10 : 4;
  std::set<std::pair<Id, Id>> shared_pairs;
  for (std::int64_t i = 0; i < group_share_count * 4 &&
                           static_cast<std::int64_t>(group_shares.size()) < group_share_count;
       ++i) {
    // Every fourth share comes from `outside` into an allowed root's tree.
    const Id into = any_in(rng.chance(0.6) ? kAcme : kUmbrella);
    const Id from = (i % 4 == 0) ? any_in(kOutside) : rng.between(1, group_count);
    // GitLab refuses to share a group with itself or with one of its ancestors or descendants.
    if (from == into || !shared_pairs.insert({into, from}).second) continue;
    bool related = false;
    for (Id a = into; a != 0 && !related;) {
      related = a == from;
      const auto& parent = groups[static_cast<std::size_t>(a - 1)].parent_id;
      a = parent ? *parent : 0;
    }
    for (Id a = from; a != 0 && !related;) {
      related = a == into;
      const auto& parent = groups[static_cast<std::size_t>(a - 1)].parent_id;
      a = parent ? *parent : 0;
    }
    if (related) continue;
    group_shares.push_back({into, from, share_level(), share_expiry()});
  }
  std::set<std::pair<Id, Id>> project_pairs;
  for (std::int64_t i = 0; i < project_share_count && o.projects > 0; ++i) {
    const Id project = rng.between(1, o.projects);
    const Id with = (i % 4 == 0) ? any_in(kOutside) : rng.between(1, group_count);
    if (!project_pairs.insert({project, with}).second) continue;
    project_shares.push_back({project, with, share_level(), share_expiry()});
  }

  // --- roles, tokens, OAuth ---
  CustomRole auditor;
  auditor.id = kAuditorRole;
  auditor.name = "Security Auditor";
  auditor.description = "Reporter who can read vulnerabilities and dependencies";
  auditor.base_access_level = kReporter;
  for (const char* p : {"admin_cicd_variables",
                        "admin_compliance_framework",
                        "admin_group_member",
                        "admin_merge_request",
                        "admin_push_rules",
                        "admin_terraform_state",
                        "admin_vulnerability",
                        "admin_web_hook",
                        "archive_project",
                        "manage_deploy_tokens",
                        "manage_group_access_tokens",
                        "manage_merge_request_settings",
                        "manage_project_access_tokens",
                        "manage_security_policy_link",
                        "read_code",
                        "read_runners",
                        "read_dependency",
                        "read_vulnerability",
                        "remove_group",
                        "remove_project"}) {
    const std::string name(p);
    auditor.permissions[name] =
        name == "read_code" || name == "read_vulnerability" || name == "read_dependency";
  }
  std::vector<Token> tokens;
  const auto token = [&](Id id, std::string secret, Id user, std::vector<std::string> scopes,
                         bool revoked, std::optional<std::string> expires) {
    Token t;
    t.id = id;
    t.name = secret;
    t.description = "gitlab-sim token " + secret;
    t.token = std::move(secret);
    t.user_id = user;
    t.scopes = std::move(scopes);
    t.revoked = revoked;
    t.expires_at = std::move(expires);
    t.created_at = stamp(id);
    tokens.push_back(std::move(t));
  };
  token(1, "sim-admin-token", kRoot, {"read_api"}, false, std::nullopt);
  token(2, "sim-owner-token", kProvisioner, {"read_api"}, false, std::nullopt);
  token(3, "sim-readuser-token", kProvisioner, {"read_user"}, false, std::nullopt);
  token(4, "sim-expired-token", kProvisioner, {"read_api"}, false, kPastExpiry);
  token(5, "sim-revoked-token", kProvisioner, {"read_api"}, true, std::nullopt);
  token(6, "sim-admin-sudo-token", kRoot, {"api", "sudo"}, false, std::nullopt);
  token(7, "sim-blocked-token", kBlockedTokenUser, {"read_api"}, false, std::nullopt);
  OAuthApplication app;
  app.id = 1;
  app.name = "Provisio";
  app.client_id = "sim-client-id";
  app.client_secret = "sim-client-secret";
  app.redirect_uris = {"http://127.0.0.1:*/oauth2/callback/gitlab",
                       "http://localhost:*/oauth2/callback/gitlab"};
  app.scopes = {"api", "openid", "profile", "email", "read_api", "read_user"};

  World world;
  world.assign(std::move(users), std::move(groups), std::move(projects), {std::move(auditor)},
               std::move(group_members), std::move(project_members), std::move(group_shares),
               std::move(project_shares), std::move(tokens), {std::move(app)});
  return world;
}

}  // namespace provisio::sim
