#include "world_json.hpp"

#include <cstdint>
#include <fstream>
#include <limits>
#include <nlohmann/json.hpp>
#include <sstream>
#include <stdexcept>

namespace provisio::sim {
namespace {

using nlohmann::json;

// A whole number that fits T. nlohmann turns a float into an integer with a plain cast, undefined
// beyond T's range (an id of 1e66: found by fuzz/world_file_fuzz.cpp), and an integer too large
// for T would wrap: both are refused (parse_world turns the exception into kInvalidArgument).
template <typename T>
T whole(const json& v) {
  if (!v.is_number_integer()) {
    throw std::invalid_argument(std::string("expected an integer, found ") + v.type_name());
  }
  const bool fits =
      v.is_number_unsigned()
          ? v.get<std::uint64_t>() <= static_cast<std::uint64_t>(std::numeric_limits<T>::max())
          : v.get<std::int64_t>() >= std::numeric_limits<T>::min() &&
                v.get<std::int64_t>() <= std::numeric_limits<T>::max();
  if (!fits) throw std::out_of_range("the integer " + v.dump() + " is out of range");
  return static_cast<T>(v.get<std::int64_t>());
}

std::string str(const json& o, const char* key, std::string fallback = {}) {
  const auto it = o.find(key);
  return it == o.end() || it->is_null() ? fallback : it->get<std::string>();
}

std::optional<std::string> opt_str(const json& o, const char* key) {
  const auto it = o.find(key);
  if (it == o.end() || it->is_null()) return std::nullopt;
  return it->get<std::string>();
}

std::optional<Id> opt_id(const json& o, const char* key) {
  const auto it = o.find(key);
  if (it == o.end() || it->is_null()) return std::nullopt;
  return whole<Id>(*it);
}

bool boolean(const json& o, const char* key, bool fallback = false) {
  const auto it = o.find(key);
  return it == o.end() || it->is_null() ? fallback : it->get<bool>();
}

int integer(const json& o, const char* key, int fallback) {
  const auto it = o.find(key);
  return it == o.end() || it->is_null() ? fallback : whole<int>(*it);
}

const json& list(const json& doc, const char* key) {
  static const json kEmpty = json::array();
  const auto it = doc.find(key);
  return it == doc.end() ? kEmpty : *it;
}

Member member_row(const json& row) {
  Member m;
  m.user_id = whole<Id>(row.at(0));
  m.access_level = whole<int>(row.at(1));
  if (row.size() > 2 && !row[2].is_null()) m.expires_at = row[2].get<std::string>();
  if (row.size() > 3 && !row[3].is_null()) m.member_role_id = whole<Id>(row[3]);
  if (row.size() > 4 && !row[4].is_null()) m.created_at = row[4].get<std::string>();
  if (row.size() > 5 && !row[5].is_null()) m.created_by = whole<Id>(row[5]);
  return m;
}

// Appends a JSON string literal.
void quote(std::string& out, const std::string& text) { out += json(text).dump(); }

void field(std::string& out, const char* key, const std::string& value, bool first = false) {
  if (!first) out += ',';
  out += '"';
  out += key;
  out += "\":";
  quote(out, value);
}

void field_raw(std::string& out, const char* key, const std::string& raw) {
  out += ",\"";
  out += key;
  out += "\":";
  out += raw;
}

std::string raw(const std::optional<std::string>& v) { return v ? json(*v).dump() : "null"; }
std::string raw(const std::optional<Id>& v) { return v ? std::to_string(*v) : "null"; }
std::string raw(bool v) { return v ? "true" : "false"; }

// A row's created_at is left out when it is the source's (the reader's default), so a world
// read and written again gives the same bytes.
void member_rows(std::string& out, const std::vector<Member>& members,
                 const std::string& source_created_at) {
  out += "\"members\":[";
  bool first = true;
  for (const Member& m : members) {
    if (!first) out += ',';
    first = false;
    out += '[' + std::to_string(m.user_id) + ',' + std::to_string(m.access_level) + ',' +
           raw(m.expires_at) + ',' + raw(m.member_role_id);
    const std::string created = m.created_at == source_created_at ? "" : m.created_at;
    if (!created.empty() || m.created_by) out += ',' + json(created).dump();
    if (m.created_by) out += ',' + std::to_string(*m.created_by);
    out += ']';
  }
  out += ']';
}

}  // namespace

Result<World> parse_world(const std::string& text) {
  try {
    const json doc = json::parse(text);
    std::vector<User> users;
    for (const json& o : list(doc, "users")) {
      User u;
      u.id = whole<Id>(o.at("id"));
      u.username = str(o, "username", "user" + std::to_string(u.id));
      u.name = str(o, "name", u.username);
      u.state = str(o, "state", "active");
      u.bot = boolean(o, "bot");
      u.is_admin = boolean(o, "is_admin");
      u.email = str(o, "email", u.username + "@example.com");
      u.public_email = str(o, "public_email");
      u.created_at = str(o, "created_at", "2020-01-01T00:00:00.000Z");
      users.push_back(std::move(u));
    }
    std::vector<Group> groups;
    std::map<Id, std::string> group_created;
    for (const json& o : list(doc, "groups")) {
      Group g;
      g.id = whole<Id>(o.at("id"));
      g.path = str(o, "path", "group-" + std::to_string(g.id));
      g.name = str(o, "name", g.path);
      g.parent_id = opt_id(o, "parent_id");
      g.visibility = str(o, "visibility", "private");
      g.description = str(o, "description");
      g.created_at = str(o, "created_at", "2020-01-01T00:00:00.000Z");
      group_created[g.id] = g.created_at;
      groups.push_back(std::move(g));
    }
    std::map<Id, std::optional<Id>> parent_of;
    for (const Group& g : groups) {
      if (g.parent_id && !group_created.count(*g.parent_id)) {
        return make_error(ErrorCode::kInvalidArgument,
                          "group " + std::to_string(g.id) + " has an unknown parent");
      }
      parent_of.emplace(g.id, g.parent_id);  // the first of a repeated id wins, as in World
    }
    // A cycle would hang every walk up the tree (found by fuzz/world_file_fuzz.cpp).
    for (const Group& g : groups) {
      std::size_t steps = 0;
      for (auto at = g.parent_id; at; at = parent_of.at(*at)) {
        if (++steps > parent_of.size()) {
          return make_error(ErrorCode::kInvalidArgument,
                            "group " + std::to_string(g.id) + " is its own ancestor");
        }
      }
    }
    std::vector<Project> projects;
    std::map<Id, std::string> project_created;
    for (const json& o : list(doc, "projects")) {
      Project p;
      p.id = whole<Id>(o.at("id"));
      p.path = str(o, "path", "project-" + std::to_string(p.id));
      p.name = str(o, "name", p.path);
      p.namespace_id = whole<Id>(o.at("namespace_id"));
      if (!group_created.count(p.namespace_id)) {
        return make_error(ErrorCode::kInvalidArgument,
                          "project " + std::to_string(p.id) + " has an unknown namespace");
      }
      p.visibility = str(o, "visibility", "private");
      p.archived = boolean(o, "archived");
      p.description = str(o, "description");
      p.created_at = str(o, "created_at", "2020-01-01T00:00:00.000Z");
      project_created[p.id] = p.created_at;
      projects.push_back(std::move(p));
    }
    std::vector<CustomRole> roles;
    for (const json& o : list(doc, "custom_roles")) {
      CustomRole r;
      r.id = whole<Id>(o.at("id"));
      r.name = str(o, "name");
      r.description = str(o, "description");
      r.group_id = opt_id(o, "group_id");
      r.base_access_level = integer(o, "base_access_level", kGuest);
      if (const auto it = o.find("permissions"); it != o.end()) {
        for (const auto& [k, v] : it->items()) r.permissions[k] = v.get<bool>();
      }
      roles.push_back(std::move(r));
    }
    const auto read_members =
        [&](const char* key, const char* id_key,
            const std::map<Id, std::string>& created) -> Result<std::map<Id, std::vector<Member>>> {
      std::map<Id, std::vector<Member>> out;
      for (const json& o : list(doc, key)) {
        const Id id = whole<Id>(o.at(id_key));
        const auto source = created.find(id);
        if (source == created.end()) {
          return make_error(ErrorCode::kInvalidArgument,
                            std::string(key) + ": unknown source " + std::to_string(id));
        }
        auto& members = out[id];
        for (const json& row : o.at("members")) {
          Member m = member_row(row);
          if (m.created_at.empty()) m.created_at = source->second;
          members.push_back(std::move(m));
        }
      }
      return out;
    };
    auto group_members = read_members("group_members", "group_id", group_created);
    if (!group_members) return tl::unexpected(group_members.error());
    auto project_members = read_members("project_members", "project_id", project_created);
    if (!project_members) return tl::unexpected(project_members.error());
    std::vector<GroupShare> group_shares;
    for (const json& o : list(doc, "group_shares")) {
      group_shares.push_back({whole<Id>(o.at("shared_group_id")),
                              whole<Id>(o.at("invited_group_id")),
                              integer(o, "group_access_level", kGuest), opt_str(o, "expires_at")});
    }
    std::vector<ProjectShare> project_shares;
    for (const json& o : list(doc, "project_shares")) {
      project_shares.push_back({whole<Id>(o.at("project_id")), whole<Id>(o.at("group_id")),
                                integer(o, "group_access_level", kGuest),
                                opt_str(o, "expires_at")});
    }
    std::vector<Token> tokens;
    for (const json& o : list(doc, "tokens")) {
      Token t;
      t.id = whole<Id>(o.at("id"));
      t.name = str(o, "name", "token-" + std::to_string(t.id));
      t.description = str(o, "description");
      t.token = o.at("token").get<std::string>();
      t.user_id = whole<Id>(o.at("user_id"));
      t.scopes = o.value("scopes", std::vector<std::string>{"read_api"});
      t.revoked = boolean(o, "revoked");
      t.expires_at = opt_str(o, "expires_at");
      t.created_at = str(o, "created_at", "2020-01-01T00:00:00.000Z");
      t.last_used_at = opt_str(o, "last_used_at");
      tokens.push_back(std::move(t));
    }
    std::vector<OAuthApplication> apps;
    for (const json& o : list(doc, "oauth_applications")) {
      OAuthApplication a;
      a.id = whole<Id>(o.at("id"));
      a.name = str(o, "name");
      a.client_id = o.at("client_id").get<std::string>();
      a.client_secret = str(o, "client_secret");
      a.redirect_uris = o.value("redirect_uris", std::vector<std::string>{});
      a.scopes = o.value("scopes", std::vector<std::string>{});
      a.confidential = boolean(o, "confidential", true);
      apps.push_back(std::move(a));
    }
    World world;
    world.assign(std::move(users), std::move(groups), std::move(projects), std::move(roles),
                 std::move(*group_members), std::move(*project_members), std::move(group_shares),
                 std::move(project_shares), std::move(tokens), std::move(apps));
    return world;
  } catch (const std::exception& e) {
    return make_error(ErrorCode::kInvalidArgument, std::string("invalid world: ") + e.what());
  }
}

Result<World> read_world_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return make_error(ErrorCode::kNotFound, "cannot read the world file " + path);
  std::ostringstream text;
  text << in.rdbuf();
  return parse_world(text.str());
}

std::string write_world(const World& world) {
  std::string out;
  out.reserve(std::size_t{64} << 20);
  out += "{\"format\":1,\n\"users\":[\n";
  bool first = true;
  for (const auto& [id, u] : world.users()) {
    out += first ? "" : ",\n";
    first = false;
    out += "{\"id\":" + std::to_string(u.id);
    field(out, "username", u.username);
    field(out, "name", u.name);
    field(out, "state", u.state);
    field_raw(out, "bot", raw(u.bot));
    field_raw(out, "is_admin", raw(u.is_admin));
    field(out, "email", u.email);
    field(out, "public_email", u.public_email);
    field(out, "created_at", u.created_at);
    out += '}';
  }
  out += "],\n\"groups\":[\n";
  first = true;
  for (const auto& [id, g] : world.groups()) {
    out += first ? "" : ",\n";
    first = false;
    out += "{\"id\":" + std::to_string(g.id);
    field(out, "name", g.name);
    field(out, "path", g.path);
    field_raw(out, "parent_id", raw(g.parent_id));
    field(out, "visibility", g.visibility);
    field(out, "description", g.description);
    field(out, "created_at", g.created_at);
    out += '}';
  }
  out += "],\n\"projects\":[\n";
  first = true;
  for (const auto& [id, p] : world.projects()) {
    out += first ? "" : ",\n";
    first = false;
    out += "{\"id\":" + std::to_string(p.id);
    field(out, "name", p.name);
    field(out, "path", p.path);
    field_raw(out, "namespace_id", std::to_string(p.namespace_id));
    field(out, "visibility", p.visibility);
    field_raw(out, "archived", raw(p.archived));
    field(out, "description", p.description);
    field(out, "created_at", p.created_at);
    out += '}';
  }
  out += "],\n\"custom_roles\":[\n";
  first = true;
  for (const auto& [id, r] : world.custom_roles()) {
    out += first ? "" : ",\n";
    first = false;
    out += "{\"id\":" + std::to_string(r.id);
    field(out, "name", r.name);
    field(out, "description", r.description);
    field_raw(out, "group_id", raw(r.group_id));
    field_raw(out, "base_access_level", std::to_string(r.base_access_level));
    field_raw(out, "permissions", json(r.permissions).dump());
    out += '}';
  }
  out += "],\n\"group_members\":[\n";
  first = true;
  for (const auto& [id, g] : world.groups()) {
    const auto& members = world.members(SourceKind::kGroup, id);
    if (members.empty()) continue;
    out += first ? "" : ",\n";
    first = false;
    out += "{\"group_id\":" + std::to_string(id) + ",";
    member_rows(out, members, g.created_at);
    out += '}';
  }
  out += "],\n\"project_members\":[\n";
  first = true;
  for (const auto& [id, p] : world.projects()) {
    const auto& members = world.members(SourceKind::kProject, id);
    if (members.empty()) continue;
    out += first ? "" : ",\n";
    first = false;
    out += "{\"project_id\":" + std::to_string(id) + ",";
    member_rows(out, members, p.created_at);
    out += '}';
  }
  out += "],\n\"group_shares\":[\n";
  first = true;
  for (const GroupShare& s : world.group_shares()) {
    out += first ? "" : ",\n";
    first = false;
    out += "{\"shared_group_id\":" + std::to_string(s.shared_group_id);
    field_raw(out, "invited_group_id", std::to_string(s.invited_group_id));
    field_raw(out, "group_access_level", std::to_string(s.group_access_level));
    field_raw(out, "expires_at", raw(s.expires_at));
    out += '}';
  }
  out += "],\n\"project_shares\":[\n";
  first = true;
  for (const ProjectShare& s : world.project_shares()) {
    out += first ? "" : ",\n";
    first = false;
    out += "{\"project_id\":" + std::to_string(s.project_id);
    field_raw(out, "group_id", std::to_string(s.group_id));
    field_raw(out, "group_access_level", std::to_string(s.group_access_level));
    field_raw(out, "expires_at", raw(s.expires_at));
    out += '}';
  }
  out += "],\n\"tokens\":[\n";
  first = true;
  for (const Token& t : world.tokens()) {
    out += first ? "" : ",\n";
    first = false;
    out += "{\"id\":" + std::to_string(t.id);
    field(out, "name", t.name);
    field(out, "description", t.description);
    field(out, "token", t.token);
    field_raw(out, "user_id", std::to_string(t.user_id));
    field_raw(out, "scopes", json(t.scopes).dump());
    field_raw(out, "revoked", raw(t.revoked));
    field_raw(out, "expires_at", raw(t.expires_at));
    field(out, "created_at", t.created_at);
    field_raw(out, "last_used_at", raw(t.last_used_at));
    out += '}';
  }
  out += "],\n\"oauth_applications\":[\n";
  first = true;
  for (const OAuthApplication& a : world.applications()) {
    out += first ? "" : ",\n";
    first = false;
    out += "{\"id\":" + std::to_string(a.id);
    field(out, "name", a.name);
    field(out, "client_id", a.client_id);
    field(out, "client_secret", a.client_secret);
    field_raw(out, "redirect_uris", json(a.redirect_uris).dump());
    field_raw(out, "scopes", json(a.scopes).dump());
    field_raw(out, "confidential", raw(a.confidential));
    out += '}';
  }
  out += "]}\n";
  return out;
}

Status write_world_file(const World& world, const std::string& path) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  if (!out) return make_error(ErrorCode::kUnavailable, "cannot write " + path);
  const std::string text = write_world(world);
  out.write(text.data(), static_cast<std::streamsize>(text.size()));
  if (!out) return make_error(ErrorCode::kUnavailable, "writing " + path + " failed");
  return {};
}

}  // namespace provisio::sim
