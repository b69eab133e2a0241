#include "gitlab/json_mapping.hpp"

#include <cctype>
#include <limits>

namespace provisio::gitlab {
namespace {

using nlohmann::json;

Error missing(std::string_view what, std::string_view field) {
  return Error{ErrorCode::kInvalidResponse, "GitLab sent a " + std::string(what) +
                                                " without a usable '" + std::string(field) +
                                                "' field."};
}

std::optional<std::int64_t> get_int(const json& j, const char* key) {
  if (!j.is_object()) return std::nullopt;
  const auto it = j.find(key);
  if (it == j.end() || !it->is_number_integer()) return std::nullopt;
  return it->get<std::int64_t>();
}

std::string get_string(const json& j, const char* key, std::string fallback = {}) {
  const auto it = j.find(key);
  if (it == j.end() || !it->is_string()) return fallback;
  return it->get<std::string>();
}

std::optional<std::string> get_optional_string(const json& j, const char* key) {
  const auto it = j.find(key);
  if (it == j.end() || !it->is_string() || it->get_ref<const std::string&>().empty()) {
    return std::nullopt;
  }
  return it->get<std::string>();
}

bool get_bool(const json& j, const char* key, bool fallback = false) {
  const auto it = j.find(key);
  if (it == j.end() || !it->is_boolean()) return fallback;
  return it->get<bool>();
}

// An access level: an integer an int holds. A larger one is not a level (cutting it down to an
// int could turn it into a real one), so it reads as absent (found by fuzz/gitlab_answer_fuzz).
std::optional<int> get_level(const json& j, const char* key) {
  const auto v = get_int(j, key);
  if (!v || *v < std::numeric_limits<int>::min() || *v > std::numeric_limits<int>::max()) {
    return std::nullopt;
  }
  return static_cast<int>(*v);
}

// "YYYY-MM-DD", alone or starting a timestamp ("2026-11-28T00:00:00Z").
bool starts_with_date(const std::string& s) {
  if (s.size() < 10 || (s.size() > 10 && s[10] != 'T' && s[10] != ' ')) return false;
  for (std::size_t i = 0; i < 10; ++i) {
    const bool dash = i == 4 || i == 7;
    if (dash ? s[i] != '-' : !std::isdigit(static_cast<unsigned char>(s[i]))) return false;
  }
  return true;
}

// expires_at is a date ("2026-11-28"); older GitLabs sent a timestamp: keep the date part.
// Anything else is unusable (`usable` false): the rules compare dates as text, and cutting any
// text at 10 bytes could also split a UTF-8 character (found by fuzz/gitlab_answer_fuzz).
struct DateField {
  std::optional<gl::Date> date;
  bool usable = true;
};

DateField get_date(const json& j, const char* key) {
  auto s = get_optional_string(j, key);
  if (!s) return {};
  if (!starts_with_date(*s)) return {std::nullopt, false};
  s->resize(10);
  return {std::move(s), true};
}

std::vector<gl::Share> get_shares(const json& j) {
  std::vector<gl::Share> out;
  const auto it = j.find("shared_with_groups");
  if (it == j.end() || !it->is_array()) return out;
  for (const auto& s : *it) {
    const auto id = get_int(s, "group_id");
    const auto level = get_level(s, "group_access_level");
    auto expires = get_date(s, "expires_at");
    if (!id || !level || !expires.usable) continue;
    out.push_back(
        gl::Share{*id, get_string(s, "group_full_path"), *level, std::move(expires.date)});
  }
  return out;
}

}  // namespace

Result<gl::User> to_user(const json& j) {
  const auto id = get_int(j, "id");
  if (!id) return tl::unexpected(missing("user", "id"));
  gl::User u;
  u.id = *id;
  u.username = get_string(j, "username");
  u.name = get_string(j, "name", u.username);
  u.state = get_string(j, "state", "active");
  u.bot = get_bool(j, "bot");
  u.email = get_optional_string(j, "email");
  u.public_email = get_optional_string(j, "public_email");
  u.is_admin = get_bool(j, "is_admin");
  return u;
}

Result<gl::Member> to_member(const json& j) {
  const auto id = get_int(j, "id");
  if (!id) return tl::unexpected(missing("member", "id"));
  const auto level = get_level(j, "access_level");
  if (!level) return tl::unexpected(missing("member", "access_level"));
  auto expires = get_date(j, "expires_at");
  if (!expires.usable) return tl::unexpected(missing("member", "expires_at"));
  gl::Member m;
  m.user_id = *id;
  m.username = get_string(j, "username");
  m.name = get_string(j, "name", m.username);
  m.state = get_string(j, "state", "active");
  m.access_level = *level;
  m.expires_at = std::move(expires.date);
  m.email = get_optional_string(j, "email");
  m.membership_state = get_string(j, "membership_state", "active");
  if (const auto it = j.find("member_role"); it != j.end() && it->is_object()) {
    const auto role_id = get_int(*it, "id");
    if (role_id) {
      m.member_role =
          gl::CustomRoleRef{*role_id, get_string(*it, "name"),
                            get_level(*it, "base_access_level").value_or(m.access_level)};
    }
  }
  return m;
}

Result<gl::Group> to_group(const json& j) {
  const auto id = get_int(j, "id");
  if (!id) return tl::unexpected(missing("group", "id"));
  gl::Group g;
  g.id = *id;
  g.name = get_string(j, "name");
  g.path = get_string(j, "path");
  g.full_path = get_string(j, "full_path", g.path);
  g.parent_id = get_int(j, "parent_id");
  g.visibility = get_string(j, "visibility", "private");
  g.shares_known = j.contains("shared_with_groups");
  g.shared_with_groups = get_shares(j);
  return g;
}

Result<gl::Project> to_project(const json& j) {
  const auto id = get_int(j, "id");
  if (!id) return tl::unexpected(missing("project", "id"));
  gl::Project p;
  p.id = *id;
  p.name = get_string(j, "name");
  p.path_with_namespace = get_string(j, "path_with_namespace");
  if (const auto ns = j.find("namespace"); ns != j.end() && ns->is_object()) {
    p.namespace_id = get_int(*ns, "id").value_or(0);
    p.namespace_kind = get_string(*ns, "kind", "group");
    p.namespace_full_path = get_string(*ns, "full_path", get_string(*ns, "path"));
  }
  p.visibility = get_string(j, "visibility", "private");
  p.archived = get_bool(j, "archived");
  p.shared_with_groups = get_shares(j);
  return p;
}

Result<gl::CustomRole> to_custom_role(const json& j) {
  const auto id = get_int(j, "id");
  if (!id) return tl::unexpected(missing("member role", "id"));
  gl::CustomRole r;
  r.id = *id;
  r.name = get_string(j, "name");
  r.group_id = get_int(j, "group_id");
  r.base_access_level = get_level(j, "base_access_level").value_or(0);
  return r;
}

Result<gl::TokenInfo> to_token_info(const json& j) {
  const auto id = get_int(j, "id");
  if (!id) return tl::unexpected(missing("token", "id"));
  gl::TokenInfo t;
  t.id = *id;
  t.name = get_string(j, "name");
  t.revoked = get_bool(j, "revoked");
  t.active = get_bool(j, "active", true);
  t.user_id = get_int(j, "user_id").value_or(0);
  auto expires = get_date(j, "expires_at");
  if (!expires.usable) return tl::unexpected(missing("token", "expires_at"));
  t.expires_at = std::move(expires.date);
  if (const auto it = j.find("scopes"); it != j.end() && it->is_array()) {
    for (const auto& s : *it) {
      if (s.is_string()) t.scopes.push_back(s.get<std::string>());
    }
  }
  return t;
}

}  // namespace provisio::gitlab
