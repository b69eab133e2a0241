#pragma once
// The built-in local administrator, created on the first start of `provisio serve`.

#include <optional>
#include <string>

#include "core/error.hpp"
#include "core/time.hpp"
#include "store/store.hpp"

namespace provisio::app {

inline constexpr std::string_view kAdminLogin = "admin";

struct AdminCreation {
  bool created = false;  // false: the user `admin` already existed and nothing was changed
  std::optional<std::string> generated_password;  // set when created without a given password
};

// When no user `admin` exists: creates it (local, name "Administrator", provider sonarqube,
// in the default group through Store::create_user) with `password`, or with a generated one
// that is returned so the caller can show it once, and grants it the global `admin` permission.
// Does nothing when the user exists, so an administrator's later changes are kept.
Result<AdminCreation> ensure_admin_user(store::Store& store,
                                        const std::optional<std::string>& password,
                                        const Clock& clock);

}  // namespace provisio::app
