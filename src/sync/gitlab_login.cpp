#include "sync/gitlab_login.hpp"

#include <algorithm>
#include <charconv>
#include <map>
#include <set>

#include "core/bots.hpp"
#include "core/login_rules.hpp"
#include "core/plan.hpp"
#include "core/random.hpp"
#include "gitlab/client.hpp"
#include "gitlab/oauth_token.hpp"
#include "sync/snapshot_reader.hpp"

namespace provisio::sync {
namespace {

constexpr std::string_view kActor = "login";
constexpr std::string_view kAskAdministrator = " Ask your administrator for access.";
constexpr int kMaxGroupsPage = 10'000;

using Outcome = tl::expected<LoginSuccess, LoginFailure>;

tl::unexpected<LoginFailure> refuse(std::string message, std::string detail,
                                    ErrorCode code = ErrorCode::kPermissionDenied) {
  return tl::unexpected(LoginFailure{std::move(message), std::move(detail), code});
}

// What the person at the browser is told when GitLab fails; the log gets the precise error.
tl::unexpected<LoginFailure> gitlab_failed(const Error& e, std::string_view reading) {
  switch (e.code) {
    case ErrorCode::kUnavailable:
    case ErrorCode::kRateLimited:
    case ErrorCode::kInvalidResponse:
    case ErrorCode::kInternal:
      return refuse(
          "GitLab cannot be reached right now, so you cannot be signed in. Please try again in a "
          "few minutes.",
          std::string(reading) + ": " + e.message, e.code);
    case ErrorCode::kPermissionDenied:
      return refuse("GitLab did not let this server read " + std::string(reading) +
                        " with the access you granted. Log in again and approve all the access "
                        "requested; if that does not help, ask your administrator to check the "
                        "GitLab application's scopes.",
                    std::string(reading) + ": " + e.message, e.code);
    default:
      return refuse("GitLab did not confirm your sign-in. Please log in again.",
                    std::string(reading) + ": " + e.message, e.code);
  }
}

tl::unexpected<LoginFailure> store_failed(const Error& e) {
  return refuse("The server could not complete your sign-in. Please try again.",
                "database: " + e.message, e.code);
}

std::optional<gl::Id> gitlab_id(const Group& g) {
  if (!g.external_id) return std::nullopt;
  gl::Id id = 0;
  const auto& text = *g.external_id;
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), id);
  if (ec != std::errc() || end != text.data() + text.size()) return std::nullopt;
  return id;
}

std::optional<std::string> email_of(const gl::User& u) {
  if (u.email && !u.email->empty()) return u.email;
  if (u.public_email && !u.public_email->empty()) return u.public_email;
  return std::nullopt;
}

std::string user_text(const User& u) { return u.name + " <" + u.email.value_or("no email") + ">"; }

Result<std::vector<Group>> load_groups(store::Store& store, std::optional<bool> managed) {
  std::vector<Group> out;
  store::GroupQuery query;
  query.managed = managed;
  query.page_size = kMaxGroupsPage;
  for (;;) {
    auto page = store.list_groups(query);
    if (!page) return tl::unexpected(page.error());
    out.insert(out.end(), page->items.begin(), page->items.end());
    if (page->items.empty() || static_cast<std::int64_t>(out.size()) >= page->total) return out;
    ++query.page_index;
  }
}

// The writes of one login, with their audit rows, applied in one transaction.
class LoginChanges {
 public:
  LoginChanges(Millis now, std::string cause) : now_(now), cause_(std::move(cause)) {
    changes_.membership_audit.at = now;
    changes_.membership_audit.actor = std::string(kActor);
    changes_.causes = {cause_};
  }

  void create(const User& u) {
    changes_.users_to_create.push_back(u);
    audit("user.create", "user", u.login, std::nullopt, user_text(u));
  }
  void update(const User& before, const User& after) {
    changes_.users_to_update.push_back(after);
    audit("user.update", "user", after.login, user_text(before), user_text(after));
  }
  // Their audit rows are written by Store::apply (ChangeSet::membership_audit).
  void add(const RowRef& user, const Group& g) {
    changes_.memberships_to_add.push_back({RowRef::of_id(g.id), user, 0});
  }
  void remove(const RowRef& user, const Group& g) {
    changes_.memberships_to_remove.push_back({RowRef::of_id(g.id), user, 0});
  }
  // A membership Just-in-Time group sync refused to change, audited beside the changes.
  void refusal(const std::string& login, const std::string& group, bool join,
               const std::string& why) {
    changes_.audit.push_back(audit_entry(
        now_, kActor, join ? "membership.add.refused" : "membership.remove.refused", "membership",
        group + "/" + login, join ? std::nullopt : std::optional<std::string>("member"),
        join ? std::nullopt : std::optional<std::string>("member"), why));
  }
  const ChangeSet& changes() const { return changes_; }

 private:
  void audit(std::string action, std::string type, std::string entity,
             std::optional<std::string> before, std::optional<std::string> after) {
    changes_.audit.push_back(audit_entry(now_, kActor, std::move(action), std::move(type),
                                         std::move(entity), std::move(before), std::move(after),
                                         cause_));
  }

  Millis now_;
  std::string cause_;
  ChangeSet changes_;
};

// One login, from the token on.
class Attempt {
 public:
  Attempt(store::Store& store, const Clock& clock, const GitlabConfig& config, const gl::User& who,
          const std::vector<gl::Group>* listed, gitlab::Client* provisioning)
      : store_(store),
        clock_(clock),
        config_(config),
        who_(who),
        listed_(listed),
        provisioning_(provisioning),
        changes_(clock.now(), "GitLab sign-in of " + who.username) {
    if (listed_ != nullptr) {
      for (const gl::Group& g : *listed_) paths_.push_back(g.full_path);
    }
  }

  Outcome run() {
    auto existing =
        store_.find_user_by_external_id(ExternalProvider::kGitlab, std::to_string(who_.id));
    if (!existing && existing.error().code != ErrorCode::kNotFound) {
      return store_failed(existing.error());
    }
    const User* known = existing ? &*existing : nullptr;
    if (known != nullptr && !known->active) {
      return refuse("Your account on this server is deactivated." + std::string(kAskAdministrator),
                    "user " + known->login + " is deactivated");
    }
    const bool automatic = config_.provisioning_type == ProvisioningType::kAutoProvisioning;
    if (automatic && (known == nullptr || !known->managed)) {
      return refuse(
          "Your GitLab account is not provisioned on this server: only members of the GitLab "
          "groups it synchronizes may sign in." +
              std::string(kAskAdministrator),
          "GitLab user " + who_.username + " (id " + std::to_string(who_.id) +
              ") is not provisioned");
    }
    if (!automatic) {
      if (auto refusal = allowlist_refusal(
              paths_, {config_.allowed_groups.begin(), config_.allowed_groups.end()})) {
        return refuse(*refusal, "GitLab user " + who_.username + " is in no allowed group");
      }
      if (known == nullptr && !config_.allow_users_to_sign_up) {
        return refuse(
            "You have no account on this server, and signing up with GitLab is not allowed "
            "here." +
                std::string(kAskAdministrator),
            "sign-up is off; GitLab user " + who_.username + " has no account");
      }
    }
    if (auto conflict = email_conflict(known)) return tl::unexpected(*conflict);

    User user = known != nullptr ? *known : new_user();
    const bool created = known == nullptr;
    RowRef ref = created ? RowRef::of_created(0) : RowRef::of_id(user.id);
    if (created) {
      changes_.create(user);
    } else if (auto refreshed = refreshed_profile(*known)) {
      changes_.update(*known, *refreshed);
      user = *refreshed;
    }
    if (config_.synchronize_groups) {
      auto synced = automatic ? sync_managed_groups(user, ref) : sync_jit_groups(user, ref);
      if (!synced) return tl::unexpected(synced.error());
    }
    if (!changes_.changes().empty()) {
      auto applied = store_.apply(changes_.changes());
      if (!applied) return store_failed(applied.error());
    }
    if (created) {
      auto stored = store_.find_user_by_uuid(user.uuid);
      if (!stored) return store_failed(stored.error());
      user = *stored;
    }
    return LoginSuccess{user, created, 0, std::move(notes_)};
  }

 private:
  std::optional<LoginFailure> email_conflict(const User* known) {
    const auto email = email_of(who_);
    if (!email) return std::nullopt;
    auto holders = store_.find_users_by_email(*email);
    if (!holders) return store_failed(holders.error()).value();
    for (const User& other : *holders) {
      if (known == nullptr || other.id != known->id) {
        return LoginFailure{
            "The email address of your GitLab account is already used by another account on "
            "this server, so you cannot be signed in." +
                std::string(kAskAdministrator),
            "the email of GitLab user " + who_.username + " belongs to user " + other.login};
      }
    }
    return std::nullopt;
  }

  User new_user() {
    SeededRandom random;
    User u;
    u.uuid = random_uuid(random);
    const std::string base = slugify(who_.name.empty() ? who_.username : who_.name);
    for (int tries = 0;; ++tries) {
      u.login = base + "-" + std::to_string(1000 + random.below(99000));
      if (tries >= 20 || !store_.find_user_by_login(u.login)) break;
    }
    u.name = who_.name.empty() ? who_.username : who_.name;
    u.email = email_of(who_);
    u.active = true;
    u.external_provider = ExternalProvider::kGitlab;
    u.external_id = std::to_string(who_.id);
    u.external_login = who_.username;
    return u;
  }

  std::optional<User> refreshed_profile(const User& known) const {
    User u = known;
    if (!who_.name.empty()) u.name = who_.name;
    if (auto email = email_of(who_)) u.email = email;
    u.external_login = who_.username;
    if (u.name == known.name && u.email == known.email &&
        u.external_login == known.external_login) {
      return std::nullopt;
    }
    return u;
  }

  Result<std::set<GroupId>> current_groups(const User& user) {
    if (user.id == 0) return std::set<GroupId>{};
    auto ids = store_.user_groups(user.id);
    if (!ids) return tl::unexpected(ids.error());
    return std::set<GroupId>(ids->begin(), ids->end());
  }

  tl::expected<void, LoginFailure> sync_jit_groups(const User& user, const RowRef& ref) {
    auto groups = load_groups(store_, std::nullopt);
    if (!groups) return store_failed(groups.error());
    auto current = current_groups(user);
    if (!current) return store_failed(current.error());
    auto global = store_.grants(std::nullopt);
    if (!global) return store_failed(global.error());
    JitGroupRules rules;
    rules.allowed_roots = {config_.allowed_groups.begin(), config_.allowed_groups.end()};
    rules.managed_privileged = config_.jit_privileged_groups;
    for (const PermissionGrant& g : *global) {
      if (g.group_id && is_administrative_permission(g.permission)) {
        rules.privileged.insert(*g.group_id);
      }
    }
    const JitMemberships decided = jit_memberships(paths_, *groups, *current, rules);
    std::map<GroupId, const Group*> by_id;
    for (const Group& g : *groups) by_id.emplace(g.id, &g);
    for (const GroupId id : decided.join) changes_.add(ref, *by_id.at(id));
    for (const GroupId id : decided.leave) changes_.remove(ref, *by_id.at(id));
    for (const JitRefusal& r : decided.refused) {
      const std::string what = std::string(r.join ? "not added to" : "not removed from") +
                               " the group " + r.name + ": " + r.reason;
      changes_.refusal(user.login, r.name, r.join, what);
      notes_.push_back(who_.username + " " + what);
    }
    return {};
  }

  tl::expected<void, LoginFailure> sync_managed_groups(const User& user, const RowRef& ref) {
    auto managed = load_groups(store_, true);
    if (!managed) return store_failed(managed.error());
    auto current = current_groups(user);
    if (!current) return store_failed(current.error());
    const std::set<GroupId> target = managed_groups_of(*listed_, *managed);
    std::vector<const Group*> unproven;
    for (const Group& g : *managed) {
      const bool member = current->count(g.id) > 0;
      const bool wanted = target.count(g.id) > 0;
      if (wanted && !member) changes_.add(ref, g);
      if (member && !wanted) unproven.push_back(&g);
    }
    for (const Group* g : still_unproven(unproven, *managed)) changes_.remove(ref, *g);
    return {};
  }

  // Of the memberships the listing does not show, those no invited group explains either. The
  // shares are read with the provisioning token, only for these groups and their ancestors, so
  // a login where nothing changed costs no extra request. When they cannot be read, nothing is
  // removed: the next full sync decides.
  std::vector<const Group*> still_unproven(const std::vector<const Group*>& unproven,
                                           const std::vector<Group>& managed) {
    if (unproven.empty() || provisioning_ == nullptr) return {};
    std::set<gl::Id> ids;
    std::map<const Group*, std::vector<const Group*>> lineage;
    for (const Group* g : unproven) {
      auto chain = managed_ancestors(*g, managed);
      chain.push_back(g);
      for (const Group* a : chain) {
        if (auto id = gitlab_id(*a)) ids.insert(*id);
      }
      lineage[g] = std::move(chain);
    }
    auto read = provisioning_->groups({ids.begin(), ids.end()});
    if (!read) return {};
    const gl::Date today = date_of(clock_.now());
    std::vector<const Group*> out;
    for (const Group* g : unproven) {
      std::vector<gl::Share> shares;
      for (const Group* a : lineage[g]) {
        const auto id = gitlab_id(*a);
        if (!id) continue;
        const auto it = read->find(*id);
        if (it != read->end()) {
          shares.insert(shares.end(), it->second.shared_with_groups.begin(),
                        it->second.shared_with_groups.end());
        }
      }
      if (!reached_through_share(shares, paths_, today)) out.push_back(g);
    }
    return out;
  }

 private:
  store::Store& store_;
  const Clock& clock_;
  const GitlabConfig& config_;
  const gl::User& who_;
  const std::vector<gl::Group>* listed_;
  gitlab::Client* provisioning_;
  LoginChanges changes_;
  std::vector<std::string> paths_;
  std::vector<std::string> notes_;
};

}  // namespace

std::string login_scope(const GitlabConfig& config) {
  const bool jit = config.provisioning_type == ProvisioningType::kJit;
  return config.synchronize_groups || (jit && !config.allowed_groups.empty()) ? "read_api"
                                                                              : "read_user";
}

GitlabLogin::GitlabLogin(store::Store& store, TransportFactory transports, const Clock& clock,
                         metrics::Registry* metrics)
    : store_(store), transports_(std::move(transports)), clock_(clock), metrics_(metrics) {}

tl::expected<LoginSuccess, LoginFailure> GitlabLogin::complete(const LoginCallback& callback) {
  auto loaded = store_.load_gitlab_config();
  if (!loaded) return store_failed(loaded.error());
  if (!*loaded || !(*loaded)->enabled) {
    return refuse("Logging in with GitLab is not enabled on this server.",
                  "no enabled GitLab configuration");
  }
  const GitlabConfig& config = **loaded;

  auto transport = transports_();
  gitlab::CodeExchange exchange;
  exchange.base_url = config.url;
  exchange.client_id = config.application_id;
  exchange.client_secret = config.secret.value_or("");
  exchange.code = callback.code;
  exchange.redirect_uri = callback.redirect_uri;
  exchange.code_verifier = callback.code_verifier;
  auto tokens = gitlab::exchange_code(*transport, exchange);
  if (!tokens) return gitlab_failed(tokens.error(), "the sign-in code");

  SeededRandom random;
  gitlab::ClientOptions options;
  options.base_url = config.url;
  options.token = tokens->access_token;
  options.token_kind = gitlab::TokenKind::kOAuth;
  // A person is waiting: fewer, shorter retries than a sync's.
  options.engine.max_attempts = 3;
  options.engine.backoff_max_ms = 2'000;
  options.engine.request_timeout = std::chrono::milliseconds(10'000);
  options.engine.metrics = metrics_;
  gitlab::Client client(options, *transport, random);
  auto who = client.current_user();
  if (!who) return gitlab_failed(who.error(), "your GitLab profile");
  if (is_bot(who->username, who->bot)) {
    return refuse(
        "This GitLab account is a bot, and " + std::string(kBotsNotProvisioned) +
            ": it cannot sign in here.",
        "GitLab user " + who->username + " is a bot (" + std::string(kBotsNotProvisioned) + ")");
  }
  if (who->state != "active") {
    return refuse(
        "Your GitLab account is not active (" + who->state + ")." + std::string(kAskAdministrator),
        "GitLab user " + who->username + " is " + who->state);
  }

  const bool automatic = config.provisioning_type == ProvisioningType::kAutoProvisioning;
  std::optional<std::vector<gl::Group>> listed;
  if (login_scope(config) == "read_api" && (config.synchronize_groups || !automatic)) {
    auto groups = client.my_groups(static_cast<int>(AccessLevel::kGuest));
    if (!groups) return gitlab_failed(groups.error(), "your GitLab groups");
    listed = std::move(*groups);
  }

  std::unique_ptr<gitlab::HttpTransport> provisioning_transport;
  std::optional<gitlab::Client> provisioning;
  if (automatic && config.synchronize_groups && config.provisioning_token) {
    provisioning_transport = transports_();
    gitlab::ClientOptions p = options;
    p.token = *config.provisioning_token;
    p.token_kind = gitlab::TokenKind::kPersonal;
    provisioning.emplace(p, *provisioning_transport, random);
  }

  Attempt attempt(store_, clock_, config, *who, listed ? &*listed : nullptr,
                  provisioning ? &*provisioning : nullptr);
  auto outcome = attempt.run();
  if (!outcome) {
    // Two first logins of one GitLab user at once: the second finds the user the first made.
    if (outcome.error().code == ErrorCode::kAlreadyExists) {
      Attempt again(store_, clock_, config, *who, listed ? &*listed : nullptr,
                    provisioning ? &*provisioning : nullptr);
      outcome = again.run();
    }
    if (!outcome) return outcome;
  }
  outcome->gitlab_requests = 1 + client.counters().total_requests() +
                             (provisioning ? provisioning->counters().total_requests() : 0);
  return outcome;
}

}  // namespace provisio::sync
