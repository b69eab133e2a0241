#include "app/admin_user.hpp"

#include "auth/password.hpp"

namespace provisio::app {

Result<AdminCreation> ensure_admin_user(store::Store& store,
                                        const std::optional<std::string>& password,
                                        const Clock& clock) {
  auto existing = store.find_user_by_login(kAdminLogin);
  if (existing) return AdminCreation{};
  if (existing.error().code != ErrorCode::kNotFound) return tl::unexpected(existing.error());

  AdminCreation out;
  out.created = true;
  std::string secret;
  if (password) {
    secret = *password;
  } else {
    secret = auth::generate_password();
    out.generated_password = secret;
  }
  auto hash = auth::hash_password(secret);
  if (!hash) return tl::unexpected(hash.error());

  User admin;
  admin.login = std::string(kAdminLogin);
  admin.name = "Administrator";
  admin.active = true;
  admin.local = true;
  admin.managed = false;
  admin.external_provider = ExternalProvider::kSonarqube;
  // As SonarQube records its local users: the provider's id and login are the login.
  admin.external_id = admin.login;
  admin.external_login = admin.login;
  admin.created_at = admin.updated_at = clock.now();
  auto created = store.create_user(admin, *hash);
  if (!created) return tl::unexpected(created.error());

  PermissionGrant grant;
  grant.user_id = created->id;
  grant.permission = "admin";
  if (auto granted = store.grant(grant); !granted) return tl::unexpected(granted.error());
  return out;
}

}  // namespace provisio::app
