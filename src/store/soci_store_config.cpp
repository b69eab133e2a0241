// The GitLab configuration (secrets sealed with the SecretBox) and the role mappings.
#include <algorithm>

#include "store/query.hpp"
#include "store/rows.hpp"
#include "store/soci_store.hpp"

namespace provisio::store {

using sql::Binder;
using sql::guarded;
using sql::Lease;

namespace {

std::string join_lines(const std::vector<std::string>& items) {
  std::string out;
  for (const std::string& s : items) {
    if (!out.empty()) out.push_back('\n');
    out += s;
  }
  return out;
}

// In their stored order, without repeats.
std::vector<std::string> split_lines(const std::string& text) {
  std::vector<std::string> out;
  std::size_t start = 0;
  while (start < text.size()) {
    const auto end = text.find('\n', start);
    const std::string item = text.substr(start, end == std::string::npos ? end : end - start);
    if (!item.empty() && std::find(out.begin(), out.end(), item) == out.end()) {
      out.push_back(item);
    }
    if (end == std::string::npos) break;
    start = end + 1;
  }
  return out;
}

}  // namespace

Result<std::optional<GitlabConfig>> SociStore::load_gitlab_config() {
  return guarded([&]() -> Result<std::optional<GitlabConfig>> {
    Lease lease(*db_);
    int enabled = 0, sync_groups = 0, sign_up = 0;
    std::string app_id, url, type, allowed, secret, token, webhook, privileged;
    soci::indicator secret_ind = soci::i_ok, token_ind = soci::i_ok, webhook_ind = soci::i_ok;
    *lease << "SELECT enabled, application_id, url, secret_sealed, synchronize_groups, "
              "provisioning_type, allowed_groups, allow_sign_up, token_sealed, "
              "webhook_secret_sealed, jit_privileged_groups FROM gitlab_config WHERE id = 1",
        soci::into(enabled), soci::into(app_id), soci::into(url), soci::into(secret, secret_ind),
        soci::into(sync_groups), soci::into(type), soci::into(allowed), soci::into(sign_up),
        soci::into(token, token_ind), soci::into(webhook, webhook_ind), soci::into(privileged);
    if (!lease->got_data()) return std::optional<GitlabConfig>();
    GitlabConfig c;
    c.enabled = enabled != 0;
    c.application_id = app_id;
    c.url = url;
    c.synchronize_groups = sync_groups != 0;
    c.provisioning_type = parse_provisioning_type(type).value_or(ProvisioningType::kJit);
    c.allowed_groups = split_lines(allowed);
    c.allow_users_to_sign_up = sign_up != 0;
    for (std::string& name : rows::decode_strings(privileged)) {
      c.jit_privileged_groups.insert(std::move(name));
    }
    // Each secret is bound to the URL it was given for (SecretBox v2): one that does not open
    // with the stored URL (changed in the database, or a key file that is not the database's)
    // reads as unset, so it is never sent anywhere, and the configuration says so.
    const auto unseal = [&](const std::string& v, soci::indicator ind,
                            std::optional<std::string>& out) -> Status {
      if (ind == soci::i_null) return {};
      if (!secrets_) {
        return make_error(ErrorCode::kFailedPrecondition, "No key to decrypt stored secrets.");
      }
      auto plain = secrets_->open(v, c.url);
      if (plain) {
        out = *plain;
      } else {
        c.secrets_unreadable = true;
      }
      return {};
    };
    if (auto s = unseal(secret, secret_ind, c.secret); !s) return tl::unexpected(s.error());
    if (auto s = unseal(token, token_ind, c.provisioning_token); !s) {
      return tl::unexpected(s.error());
    }
    if (auto s = unseal(webhook, webhook_ind, c.webhook_secret); !s) {
      return tl::unexpected(s.error());
    }
    return std::optional<GitlabConfig>(c);
  });
}

Status SociStore::save_gitlab_config(const GitlabConfig& c) {
  if (!secrets_) {
    return make_error(ErrorCode::kFailedPrecondition, "No key to encrypt secrets with.");
  }
  return guarded([&]() -> Status {
    const auto seal = [&](const std::optional<std::string>& v) -> std::optional<std::string> {
      if (!v) return std::nullopt;
      return secrets_->seal(*v, c.url);
    };
    Lease lease(*db_);
    Binder b(*lease);
    b.execute(
        "INSERT INTO gitlab_config (id, enabled, application_id, url, secret_sealed, "
        "synchronize_groups, provisioning_type, allowed_groups, allow_sign_up, token_sealed, "
        "webhook_secret_sealed, jit_privileged_groups, updated_at) VALUES (1, " +
        b.add(static_cast<long long>(c.enabled)) + ", " + b.add(c.application_id) + ", " +
        b.add(c.url) + ", " + b.add(seal(c.secret)) + ", " +
        b.add(static_cast<long long>(c.synchronize_groups)) + ", " +
        b.add(std::string(to_string(c.provisioning_type))) + ", " +
        b.add(join_lines(c.allowed_groups)) + ", " +
        b.add(static_cast<long long>(c.allow_users_to_sign_up)) + ", " +
        b.add(seal(c.provisioning_token)) + ", " + b.add(seal(c.webhook_secret)) + ", " +
        b.add(rows::encode_strings(
            {c.jit_privileged_groups.begin(), c.jit_privileged_groups.end()})) +
        ", " + b.add(now_ms()) +
        ") ON CONFLICT (id) DO UPDATE SET enabled = excluded.enabled, application_id = "
        "excluded.application_id, url = excluded.url, secret_sealed = excluded.secret_sealed, "
        "synchronize_groups = excluded.synchronize_groups, provisioning_type = "
        "excluded.provisioning_type, allowed_groups = excluded.allowed_groups, allow_sign_up = "
        "excluded.allow_sign_up, token_sealed = excluded.token_sealed, webhook_secret_sealed = "
        "excluded.webhook_secret_sealed, jit_privileged_groups = excluded.jit_privileged_groups, "
        "updated_at = excluded.updated_at");
    return {};
  });
}

void SociStore::reseal_legacy_secrets(Lease& lease) {
  if (!secrets_) return;
  std::string url, secret, token, webhook;
  soci::indicator secret_ind = soci::i_ok, token_ind = soci::i_ok, webhook_ind = soci::i_ok;
  *lease << "SELECT url, secret_sealed, token_sealed, webhook_secret_sealed FROM gitlab_config "
            "WHERE id = 1",
      soci::into(url), soci::into(secret, secret_ind), soci::into(token, token_ind),
      soci::into(webhook, webhook_ind);
  if (!lease->got_data()) return;
  // A value that does not open stays as it is: a wrong key file is the operator's to fix.
  const auto bound = [&](const std::string& v, soci::indicator ind) -> std::optional<std::string> {
    if (ind == soci::i_null || SecretBox::is_bound(v)) return std::nullopt;
    auto plain = secrets_->open(v);
    if (!plain) return std::nullopt;
    return secrets_->seal(*plain, url);
  };
  // The value to write back: bound anew, or as it was.
  const auto column = [&](const std::string& v, soci::indicator ind) {
    if (auto resealed = bound(v, ind)) return std::optional<std::string>(std::move(resealed));
    return ind == soci::i_null ? std::optional<std::string>() : std::optional<std::string>(v);
  };
  if (!bound(secret, secret_ind) && !bound(token, token_ind) && !bound(webhook, webhook_ind)) {
    return;
  }
  Binder b(*lease);
  b.execute("UPDATE gitlab_config SET secret_sealed = " + b.add(column(secret, secret_ind)) +
            ", token_sealed = " + b.add(column(token, token_ind)) +
            ", webhook_secret_sealed = " + b.add(column(webhook, webhook_ind)) + " WHERE id = 1");
}

Status SociStore::delete_gitlab_config() {
  return guarded([&]() -> Status {
    Lease lease(*db_);
    *lease << "DELETE FROM gitlab_config WHERE id = 1";
    return {};
  });
}

Status SociStore::clear_managed_flags() {
  return guarded([&]() -> Status {
    Lease lease(*db_);
    sql::Tx tx(lease);
    *lease << "UPDATE users SET managed = 0 WHERE managed = 1";
    *lease << "UPDATE user_groups SET managed = 0 WHERE managed = 1";
    tx.commit();
    return {};
  });
}

Result<std::vector<RoleMapping>> SociStore::role_mappings() {
  return guarded([&]() -> Result<std::vector<RoleMapping>> {
    Lease lease(*db_);
    std::string role;
    int u = 0, cv = 0, ia = 0, sha = 0, ad = 0, sc = 0;
    soci::statement st =
        (lease->prepare << "SELECT role, perm_user, perm_codeviewer, perm_issueadmin, "
                           "perm_securityhotspotadmin, perm_admin, perm_scan FROM role_mappings",
         soci::into(role), soci::into(u), soci::into(cv), soci::into(ia), soci::into(sha),
         soci::into(ad), soci::into(sc));
    st.execute();
    std::vector<RoleMapping> out;
    while (st.fetch()) {
      out.push_back(
          RoleMapping{role, RolePermissions{u != 0, cv != 0, ia != 0, sha != 0, ad != 0, sc != 0}});
    }
    // Base roles first, from owner down, then custom roles by name.
    const auto rank = [](const RoleMapping& m) {
      const auto level = base_role_level(m.role);
      return level ? -static_cast<int>(*level) : 0;
    };
    std::sort(out.begin(), out.end(), [&](const RoleMapping& a, const RoleMapping& b) {
      return std::pair(rank(a), a.role) < std::pair(rank(b), b.role);
    });
    return out;
  });
}

Status SociStore::save_role_mapping(const RoleMapping& m) {
  if (auto ok = validate_role_update(m); !ok) return ok;
  return guarded([&]() -> Status {
    Lease lease(*db_);
    const RolePermissions& p = m.permissions;
    Binder b(*lease);
    b.execute(
        "INSERT INTO role_mappings (role, perm_user, perm_codeviewer, perm_issueadmin, "
        "perm_securityhotspotadmin, perm_admin, perm_scan) VALUES (" +
        b.add(m.role) + ", " + b.add(static_cast<long long>(p.user)) + ", " +
        b.add(static_cast<long long>(p.code_viewer)) + ", " +
        b.add(static_cast<long long>(p.issue_admin)) + ", " +
        b.add(static_cast<long long>(p.security_hotspot_admin)) + ", " +
        b.add(static_cast<long long>(p.admin)) + ", " + b.add(static_cast<long long>(p.scan)) +
        ") ON CONFLICT (role) DO UPDATE SET perm_user = excluded.perm_user, "
        "perm_codeviewer = excluded.perm_codeviewer, perm_issueadmin = "
        "excluded.perm_issueadmin, perm_securityhotspotadmin = "
        "excluded.perm_securityhotspotadmin, perm_admin = excluded.perm_admin, perm_scan = "
        "excluded.perm_scan");
    return {};
  });
}

Status SociStore::delete_role_mapping(std::string_view role) {
  if (base_role_level(role)) {
    return make_error(ErrorCode::kInvalidArgument,
                      "The base role '" + std::string(role) + "' cannot be deleted.");
  }
  return guarded([&]() -> Status {
    Lease lease(*db_);
    Binder b(*lease);
    if (b.execute("DELETE FROM role_mappings WHERE role = " + b.add(std::string(role))) == 0) {
      return make_error(ErrorCode::kNotFound,
                        "No mapping for the role '" + std::string(role) + "'.");
    }
    return {};
  });
}

}  // namespace provisio::store
