// `provisio admin reset-password [--login L] [--password-stdin]`: a lost password of a local
// user (the built-in admin by default) recovered from the machine itself (behaviour.md §5). It
// works on the database, so with the server stopped or running: sessions are read from the
// database at every request, and the user's are ended here.
#include <algorithm>
#include <iostream>
#include <string>

#include "app/admin_user.hpp"
#include "app/commands.hpp"
#include "app/database.hpp"
#include "auth/password.hpp"
#include "core/audit.hpp"

namespace provisio::app {
namespace {

constexpr std::size_t kMinPasswordLength = 12;

int fail(const std::string& message) {
  std::cerr << "provisio admin reset-password: " << message << "\n";
  return kExitFailure;
}

// One line of standard input, without its line end; nothing at end of input.
std::optional<std::string> read_line() {
  std::string line;
  if (!std::getline(std::cin, line)) return std::nullopt;
  if (!line.empty() && line.back() == '\r') line.pop_back();
  return line;
}

// Whether the user holds the global `admin` permission, directly or through a group.
Result<bool> holds_admin(store::Store& store, const User& user) {
  auto grants = store.grants(std::nullopt);
  if (!grants) return tl::unexpected(grants.error());
  auto groups = store.user_groups(user.id);
  if (!groups) return tl::unexpected(groups.error());
  for (const PermissionGrant& g : *grants) {
    if (g.permission != "admin") continue;
    if (g.user_id == user.id) return true;
    if (g.group_id && std::find(groups->begin(), groups->end(), *g.group_id) != groups->end()) {
      return true;
    }
  }
  return false;
}

}  // namespace

int run_reset_password(const Settings& settings, const ResetPasswordOptions& options) {
  const std::string login = options.login.empty() ? std::string(kAdminLogin) : options.login;
  std::string password;
  bool generated = false;
  if (options.password_stdin) {
    auto line = read_line();
    if (!line || line->empty()) return fail("no password on standard input.");
    if (line->size() < kMinPasswordLength) {
      return fail("a password has at least " + std::to_string(kMinPasswordLength) + " characters.");
    }
    password = std::move(*line);
  } else {
    password = auth::generate_password();
    generated = true;
  }

  auto store = open_database(settings, OpenMode::kExisting);
  if (!store) return fail("cannot open the database: " + store.error().message);
  if (auto version = (*store)->schema_version();
      !version || *version < store::latest_schema_version()) {
    return fail(
        "the database is not migrated to this version: run `provisio migrate` (or start the "
        "server) first.");
  }
  auto user = (*store)->find_user_by_login(login);
  if (!user) {
    if (user.error().code == ErrorCode::kNotFound) return fail("there is no user '" + login + "'.");
    return fail(user.error().message);
  }
  if (!user->local) {
    return fail("'" + login +
                "' logs in with GitLab and has no password here; only local users do.");
  }
  auto hash = auth::hash_password(password);
  if (!hash) return fail(hash.error().message);
  if (auto saved = (*store)->set_password_hash(user->id, *hash); !saved) {
    return fail(saved.error().message);
  }
  // Whoever knew the old password may hold a session: every one of the user's ends now.
  if (auto ended = (*store)->delete_sessions_of(user->id, std::nullopt); !ended) {
    return fail(ended.error().message);
  }
  const SystemClock clock;
  std::vector<AuditEntry> audit;
  AuditEntry a;
  a.at = clock.now();
  a.actor = "cli";
  a.action = "user.password";
  a.entity_type = "user";
  a.entity = user->login;
  a.cause = "provisio admin reset-password";
  audit.push_back(a);
  if (!user->active) {
    User on = *user;
    on.active = true;
    if (auto saved = (*store)->update_user(on); !saved) return fail(saved.error().message);
    // Every active user belongs to the default group.
    auto everyone = (*store)->find_group_by_name(kDefaultGroupName);
    if (!everyone) return fail(everyone.error().message);
    if (auto added = (*store)->add_membership(everyone->id, user->id); !added) {
      return fail(added.error().message);
    }
    AuditEntry r = a;
    r.action = "user.reactivate";
    audit.push_back(r);
    std::cout << "Reactivated the user " << login << ".\n";
  }
  (void)(*store)->append_audit(audit);

  if (generated) {
    // The only place this password ever appears: standard output, once.
    std::cout << "New password for " << login << ": " << password << "\n";
  } else {
    std::cout << "Set the password of " << login << ".\n";
  }
  if (auto admin = holds_admin(**store, *user); admin && !*admin) {
    std::cerr << "provisio admin reset-password: warning: " << login
              << " does not hold the global 'admin' permission.\n";
  }
  return kExitOk;
}

}  // namespace provisio::app
