// v2 users: list, create (local users), read, change, deactivate.
#include <algorithm>

#include "auth/password.hpp"
#include "http/handler_support.hpp"
#include "http/handlers.hpp"
#include "http/managed_rules.hpp"
#include "http/request_input.hpp"

namespace provisio::http {
namespace {

constexpr std::size_t kMinPasswordLength = 12;

Status validate_login(const std::string& login) {
  const bool chars_ok = std::all_of(login.begin(), login.end(), [](unsigned char c) {
    return std::isalnum(c) || c == '.' || c == '_' || c == '@' || c == '-';
  });
  if (login.size() < 2 || login.size() > 100 || !chars_ok) {
    return tl::unexpected(
        invalid("The field 'login' is 2 to 100 letters, digits, '.', '_', '@' or '-'."));
  }
  return {};
}

Status validate_name(const std::string& name) {
  if (name.empty() || name.size() > 200) {
    return tl::unexpected(invalid("The field 'name' is 1 to 200 characters."));
  }
  return {};
}

Status validate_email(const std::string& email) {
  if (email.size() > 100 || (!email.empty() && email.find('@') == std::string::npos)) {
    return tl::unexpected(invalid("The field 'email' must be an email address."));
  }
  return {};
}

Result<User> user_by_id(ApiContext& context, const HttpRequest& request) {
  auto user = context.store.find_user_by_uuid(request.path_params.at("id"));
  if (!user && user.error().code == ErrorCode::kNotFound) {
    return tl::unexpected(
        not_found("There is no user with the id '" + request.path_params.at("id") + "'."));
  }
  return user;
}

}  // namespace

Result<HttpResponse> list_users(ApiContext& context, const HttpRequest& request,
                                const Caller& caller) {
  auto page = v2_page(request);
  if (!page) return fail(page);
  auto active = query_flag(request, "active");
  if (!active) return fail(active);
  auto managed = query_flag(request, "managed");
  if (!managed) return fail(managed);
  // What a non-administrator cannot see (email, active, managed), it cannot search or filter on
  // either: a filter would tell it the hidden value one user at a time.
  if (!caller.admin && (*active || *managed)) {
    return tl::unexpected(forbidden("Filtering users on '" +
                                    std::string(*active ? "active" : "managed") +
                                    "' needs the global 'admin' permission."));
  }
  store::UserQuery query;
  query.q = std::string(request.query_param("q").value_or(""));
  query.search_email = caller.admin;
  query.active = *active;
  query.managed = *managed;
  query.page_index = page->index;
  query.page_size = page->size;
  auto users = context.store.list_users(query);
  if (!users) return fail(users);
  JsonWriter w;
  w.begin_object().key("users").begin_array();
  for (const User& u : users->items) write_user(w, u, caller.admin);
  w.end_array().key("page");
  write_page(w, page->index, page->size, users->total);
  return ok_written(w.end_object().take());
}

Result<HttpResponse> create_user(ApiContext& context, const HttpRequest& request,
                                 const Caller& caller) {
  auto body =
      JsonFields::parse(request.body, {"login", "name", "email", "password", "scmAccounts"});
  if (!body) return fail(body);
  auto login = body->required_text("login");
  if (!login) return fail(login);
  auto name = body->required_text("name");
  if (!name) return fail(name);
  auto email = body->text("email", /*nullable=*/true);
  if (!email) return fail(email);
  auto password = body->required_text("password");
  if (!password) return fail(password);
  if (auto scm = body->texts("scmAccounts"); !scm) return fail(scm);
  auto managed = managed_instance(context.store);
  if (!managed) return fail(managed);
  if (auto allowed = may_create_user(*managed); !allowed) return fail(allowed);
  if (auto v = validate_login(*login); !v) return fail(v);
  if (auto v = validate_name(*name); !v) return fail(v);
  if (*email) {
    if (auto v = validate_email(**email); !v) return fail(v);
  }
  if (password->size() < kMinPasswordLength) {
    return tl::unexpected(invalid("The field 'password' needs at least " +
                                  std::to_string(kMinPasswordLength) + " characters."));
  }
  auto hash = auth::hash_password(*password);
  if (!hash) return fail(hash);
  User u;
  u.login = *login;
  u.name = *name;
  if (*email && !(*email)->empty()) u.email = **email;
  u.local = true;
  u.external_id = u.login;
  u.external_login = u.login;
  u.created_at = u.updated_at = context.clock.now();
  auto created = context.store.create_user(u, *hash);
  if (!created) {
    if (created.error().code == ErrorCode::kAlreadyExists) {
      return tl::unexpected(
          Error{ErrorCode::kAlreadyExists, "A user with the login '" + u.login + "' exists."});
    }
    return fail(created);
  }
  audit(context, caller, "user.create", "user", created->login);
  return ok(user_json(*created, true));
}

Result<HttpResponse> get_user(ApiContext& context, const HttpRequest& request,
                              const Caller& caller) {
  auto user = user_by_id(context, request);
  if (!user) return fail(user);
  return ok(user_json(*user, caller.admin));
}

Result<HttpResponse> patch_user(ApiContext& context, const HttpRequest& request,
                                const Caller& caller) {
  auto body = JsonFields::parse(request.body, {"name", "email"});
  if (!body) return fail(body);
  auto name = body->text("name");
  if (!name) return fail(name);
  auto email = body->text("email", /*nullable=*/true);
  if (!email) return fail(email);
  auto user = user_by_id(context, request);
  if (!user) return fail(user);
  auto managed = managed_instance(context.store);
  if (!managed) return fail(managed);
  if (auto allowed = may_update_user(*managed, *user); !allowed) return fail(allowed);
  User changed = *user;
  if (*name) {
    if (auto v = validate_name(**name); !v) return fail(v);
    changed.name = **name;
  }
  if (*email) {
    if (auto v = validate_email(**email); !v) return fail(v);
    changed.email = (*email)->empty() ? std::nullopt : *email;
  }
  if (auto saved = context.store.update_user(changed); !saved) return fail(saved);
  audit(context, caller, "user.update", "user", changed.login);
  return ok(user_json(changed, true));
}

Result<HttpResponse> deactivate_user(ApiContext& context, const HttpRequest& request,
                                     const Caller& caller) {
  auto user = user_by_id(context, request);
  if (!user) return fail(user);
  if (user->id == caller.user->id)
    return tl::unexpected(invalid("You cannot deactivate yourself."));
  auto managed = managed_instance(context.store);
  if (!managed) return fail(managed);
  if (auto allowed = may_deactivate_user(*managed, *user); !allowed) return fail(allowed);
  if (!user->active) return no_content();
  auto lock = admin_change_lock();
  // Checked first for a message that names the change; the store checks again in its
  // transaction.
  AdminLoss loss;
  loss.users.insert(user->id);
  if (auto kept =
          keeps_an_administrator(context, loss, "Deactivating the user '" + user->login + "'");
      !kept) {
    return fail(kept);
  }
  // One transaction: the store takes an inactive user out of every group and removes every
  // permission (each with its audit row), drops the user's sessions and tokens, and refuses a
  // change that would leave no active administrator.
  ChangeSet changes;
  changes.membership_audit.at = context.clock.now();
  changes.membership_audit.actor = caller.login();
  User off = *user;
  off.active = false;
  changes.users_to_update.push_back(off);
  AuditEntry a;
  a.at = context.clock.now();
  a.actor = caller.login();
  a.action = "user.deactivate";
  a.entity_type = "user";
  a.entity = user->login;
  changes.audit.push_back(a);
  if (auto applied = context.store.apply(changes); !applied) return fail(applied);
  return no_content();
}

}  // namespace provisio::http
