#include "graphql_exec.hpp"

#include <algorithm>
#include <charconv>
#include <memory>
#include <optional>
#include <set>
#include <unordered_map>
#include <variant>

#include "effective_access.hpp"

namespace provisio::sim::graphql {
namespace {

using nlohmann::json;
using nlohmann::ordered_json;

// --- cursors: base64 of a small JSON object, opaque to clients as GitLab's are ---

constexpr char kB64[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

std::string base64(std::string_view in) {
  std::string out;
  std::size_t i = 0;
  for (; i + 2 < in.size(); i += 3) {
    const unsigned v = (static_cast<unsigned char>(in[i]) << 16) |
                       (static_cast<unsigned char>(in[i + 1]) << 8) |
                       static_cast<unsigned char>(in[i + 2]);
    out += kB64[(v >> 18) & 63];
    out += kB64[(v >> 12) & 63];
    out += kB64[(v >> 6) & 63];
    out += kB64[v & 63];
  }
  if (i < in.size()) {
    unsigned v = static_cast<unsigned char>(in[i]) << 16;
    if (i + 1 < in.size()) v |= static_cast<unsigned char>(in[i + 1]) << 8;
    out += kB64[(v >> 18) & 63];
    out += kB64[(v >> 12) & 63];
    out += i + 1 < in.size() ? kB64[(v >> 6) & 63] : '=';
    out += '=';
  }
  return out;
}

std::optional<std::string> unbase64(std::string_view in) {
  std::string out;
  unsigned v = 0;
  int bits = 0;
  for (const char c : in) {
    if (c == '=') break;
    const char* p = std::char_traits<char>::find(kB64, 64, c);
    if (p == nullptr) return std::nullopt;
    v = (v << 6) | static_cast<unsigned>(p - kB64);
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out += static_cast<char>((v >> bits) & 0xFF);
    }
  }
  return out;
}

// --- what a field resolves to ---

struct Page;

struct Node {
  enum class Kind {
    kQuery,
    kGroup,
    kProject,
    kMember,
    kUser,
    kAccess,
    kRole,
    kPageInfo,
    kConnection,
    kEdge,
    kComplexity
  };
  Kind kind = Kind::kQuery;
  const Group* group = nullptr;
  const Project* project = nullptr;
  const Member* member = nullptr;
  SourceKind source = SourceKind::kGroup;
  Id source_id = 0;
  const User* user = nullptr;
  int level = 0;
  const CustomRole* role = nullptr;
  std::shared_ptr<const Page> page;
  std::size_t index = 0;  // of an edge in its page
};

struct Page {
  std::vector<Node> items;
  std::vector<std::string> cursors;
  bool has_next = false;
  bool has_previous = false;
};

// One item of a list before pagination, with the key it is ordered by.
struct Item {
  Node node;
  std::string primary;  // the sort column when it is not the id ("" for id order)
  Id id = 0;
};

std::string cursor_of(const Item& item) {
  ordered_json c;
  if (!item.primary.empty()) c["name"] = item.primary;
  c["id"] = std::to_string(item.id);
  return base64(c.dump());
}

// An error for the response's "errors", with the field's location and path.
struct Failure {
  std::string message;
};

std::string access_enum(int level) {
  switch (level) {
    case 0:
      return "NO_ACCESS";
    case 5:
      return "MINIMAL_ACCESS";
    case 10:
      return "GUEST";
    case 15:
      return "PLANNER";
    case 20:
      return "REPORTER";
    case 30:
      return "DEVELOPER";
    case 40:
      return "MAINTAINER";
    case 50:
      return "OWNER";
    default:
      return "ADMIN";
  }
}

std::string human_access(int level) {
  switch (level) {
    case 0:
      return "No access";
    case 5:
      return "Minimal Access";
    case 10:
      return "Guest";
    case 15:
      return "Planner";
    case 20:
      return "Reporter";
    case 30:
      return "Developer";
    case 40:
      return "Maintainer";
    case 50:
      return "Owner";
    default:
      return "Admin";
  }
}

int level_of_enum(const std::string& name) {
  static const std::map<std::string, int> kLevels = {
      {"NO_ACCESS", 0},  {"MINIMAL_ACCESS", 5}, {"GUEST", 10}, {"PLANNER", 15}, {"REPORTER", 20},
      {"DEVELOPER", 30}, {"MAINTAINER", 40},    {"OWNER", 50}, {"ADMIN", 60}};
  const auto it = kLevels.find(name);
  return it == kLevels.end() ? -1 : it->second;
}

std::string gid(const char* model, Id id) {
  return std::string("gid://gitlab/") + model + "/" + std::to_string(id);
}

// "gid://gitlab/Group/12" -> 12, GitLab's messages otherwise.
tl::expected<Id, Failure> parse_gid(const std::string& text, const char* model) {
  static constexpr std::string_view kPrefix = "gid://gitlab/";
  const auto slash = text.rfind('/');
  if (text.rfind(kPrefix, 0) != 0 || slash == std::string::npos || slash < kPrefix.size()) {
    return tl::unexpected(Failure{text + " is not a valid GitLab ID."});
  }
  const std::string type = text.substr(kPrefix.size(), slash - kPrefix.size());
  Id id = 0;
  const char* begin = text.data() + slash + 1;
  const char* end = text.data() + text.size();
  const auto [ptr, ec] = std::from_chars(begin, end, id);
  if (ec != std::errc() || ptr != end || begin == end) {
    return tl::unexpected(Failure{text + " is not a valid GitLab ID."});
  }
  if (type != model) return tl::unexpected(Failure{text + " is not a valid ID for " + model + "."});
  return id;
}

const char* const kNotAvailable =
    "The resource that you are attempting to access does not exist or you don't have permission "
    "to perform this action";

class Executor {
 public:
  Executor(const Analysis& analysis, const ExecContext& ctx, int score)
      : analysis_(analysis), ctx_(ctx), score_(score) {}

  ordered_json run() {
    ordered_json data = select(analysis_.operation->selections, Node{}, "Query", json::array());
    ordered_json out;
    if (!errors_.empty()) {
      out["errors"] = ordered_json::array();
      for (const QueryError& e : errors_) out["errors"].push_back(e.to_json());
    }
    out["data"] = std::move(data);
    return out;
  }

 private:
  using Value =
      tl::expected<std::variant<std::monostate, ordered_json, Node, std::vector<Node>>, Failure>;

  ordered_json select(const std::vector<Field>& fields, const Node& parent, const std::string& type,
                      const json& path) {
    ordered_json out = ordered_json::object();
    for (const Field& f : fields) {
      json here = path;
      here.push_back(f.response_key());
      ordered_json value = resolve(f, parent, here);
      const auto it = out.find(f.response_key());
      if (it != out.end() && it->is_object() && value.is_object()) {
        it->update(value);  // the same field asked twice: its selections merge
      } else if (it == out.end()) {
        out[f.response_key()] = std::move(value);
      }
    }
    (void)type;
    return out;
  }

  ordered_json resolve(const Field& f, const Node& parent, const json& path) {
    const BoundField& bound = analysis_.fields.at(&f);
    Value v = fetch(parent, f.name, bound.arguments);
    if (!v) {
      errors_.push_back({v.error().message, f.location, ordered_json(path), nullptr});
      return nullptr;
    }
    const std::string node_type = named_type(bound.spec->type);
    return std::visit(
        [&](auto& x) -> ordered_json {
          using T = std::decay_t<decltype(x)>;
          if constexpr (std::is_same_v<T, std::monostate>) {
            return nullptr;
          } else if constexpr (std::is_same_v<T, ordered_json>) {
            return x;
          } else if constexpr (std::is_same_v<T, Node>) {
            return select(f.selections, x, node_type, path);
          } else {
            ordered_json list = ordered_json::array();
            for (std::size_t i = 0; i < x.size(); ++i) {
              json item_path = path;
              item_path.push_back(i);
              list.push_back(select(f.selections, x[i], node_type, item_path));
            }
            return list;
          }
        },
        *v);
  }

  // --- the fields, by the kind of their parent ---

  Value fetch(const Node& n, const std::string& name, const json& args) {
    switch (n.kind) {
      case Node::Kind::kQuery:
        return query_field(name, args);
      case Node::Kind::kGroup:
        return group_field(*n.group, name, args);
      case Node::Kind::kProject:
        return project_field(*n.project, name, args);
      case Node::Kind::kMember:
        return member_field(n, name);
      case Node::Kind::kUser:
        return user_field(*n.user, name);
      case Node::Kind::kAccess:
        if (name == "integerValue") return ordered_json(n.level);
        if (name == "stringValue") return ordered_json(access_enum(n.level));
        return ordered_json(human_access(n.level));
      case Node::Kind::kRole:
        return role_field(*n.role, name);
      case Node::Kind::kPageInfo: {
        const Page& p = *n.page;
        if (name == "hasNextPage") return ordered_json(p.has_next);
        if (name == "hasPreviousPage") return ordered_json(p.has_previous);
        if (p.cursors.empty()) return ordered_json(nullptr);
        return ordered_json(name == "startCursor" ? p.cursors.front() : p.cursors.back());
      }
      case Node::Kind::kConnection: {
        if (name == "nodes") return n.page->items;
        if (name == "pageInfo") {
          Node info = n;
          info.kind = Node::Kind::kPageInfo;
          return info;
        }
        std::vector<Node> edges;
        for (std::size_t i = 0; i < n.page->items.size(); ++i) {
          Node e = n;
          e.kind = Node::Kind::kEdge;
          e.index = i;
          edges.push_back(std::move(e));
        }
        return edges;
      }
      case Node::Kind::kEdge:
        if (name == "cursor") return ordered_json(n.page->cursors[n.index]);
        return n.page->items[n.index];
      case Node::Kind::kComplexity:
        return ordered_json(name == "score" ? score_ : max_complexity(ctx_.viewer));
    }
    return std::monostate{};
  }

  Value query_field(const std::string& name, const json& args) {
    if (name == "group") {
      const Group* g = ctx_.world.group_by_path(args.at("fullPath").get<std::string>());
      if (g == nullptr || !can_see_group(ctx_.world, ctx_.viewer, *g, ctx_.today)) {
        return std::monostate{};
      }
      return group_node(*g);
    }
    if (name == "project") {
      const Project* p = ctx_.world.project_by_path(args.at("fullPath").get<std::string>());
      if (p == nullptr || !can_see_project(ctx_.world, ctx_.viewer, *p, ctx_.today)) {
        return std::monostate{};
      }
      return project_node(*p);
    }
    if (name == "groups") return groups(args);
    if (name == "projects") return projects(args);
    if (name == "memberRoles") {
      // Instance-level custom roles (GitLab Self-Managed): any signed-in user may read them
      // (GlobalPolicy: ~anonymous & custom_roles_allowed enables read_member_role).
      if (ctx_.viewer.user == nullptr) return tl::unexpected(Failure{kNotAvailable});
      return roles(std::nullopt, args);
    }
    Node c;
    c.kind = Node::Kind::kComplexity;
    return c;  // queryComplexity
  }

  Value group_field(const Group& g, const std::string& name, const json& args) {
    if (name == "id") return ordered_json(gid("Group", g.id));
    if (name == "name") return ordered_json(g.name);
    if (name == "path") return ordered_json(g.path);
    if (name == "fullName") return ordered_json(g.full_name);
    if (name == "fullPath") return ordered_json(g.full_path);
    if (name == "visibility") return ordered_json(g.visibility);
    if (name == "webUrl") return ordered_json(ctx_.base_url + "/groups/" + g.full_path);
    if (name == "createdAt") return ordered_json(g.created_at);
    if (name == "maxAccessLevel") {
      // The caller's own direct level in the group: GroupType#max_access_level reads
      // User#max_member_access_for_group_ids, the user's group_members rows of that group alone
      // (0 for an inherited member, and for an administrator who is no member).
      Node a;
      a.kind = Node::Kind::kAccess;
      a.level = 0;
      if (ctx_.viewer.user != nullptr) {
        for (const Member& m : ctx_.world.members(SourceKind::kGroup, g.id)) {
          if (m.user_id == ctx_.viewer.user->id && !is_expired(m.expires_at, ctx_.today)) {
            a.level = std::max(a.level, m.access_level);
          }
        }
      }
      return a;
    }
    if (name == "groupMembersCount") {
      return ordered_json(ctx_.world.members(SourceKind::kGroup, g.id).size());
    }
    if (name == "parent") {
      const Group* parent = g.parent_id ? ctx_.world.group(*g.parent_id) : nullptr;
      if (parent == nullptr || !can_see_group(ctx_.world, ctx_.viewer, *parent, ctx_.today)) {
        return std::monostate{};
      }
      return group_node(*parent);
    }
    if (name == "groupMembers") return group_members(g, args);
    if (name == "memberRoles") {
      // The root group's custom roles (GitLab.com), to its Guests and more and administrators;
      // an empty list to anyone else, as GitLab's RolesFinder answers.
      const bool guest =
          ctx_.viewer.admin() ||
          (ctx_.viewer.user != nullptr &&
           effective_member(ctx_.world, SourceKind::kGroup, g.id, ctx_.viewer.user->id, ctx_.today)
                   .access_level >= kGuest);
      if (!guest) return paginate({}, args, false);
      Id root = g.id;
      for (const Id a : ctx_.world.ancestors(g.id)) root = a;
      return roles(root, args);
    }
    if (name == "pendingMembers") {
      // Root groups only, for those who may manage members (GitLab's
      // PendingGroupMembersResolver): awaiting and invited members; the world has neither.
      if (g.parent_id) return std::monostate{};
      if (!may_manage(g)) return tl::unexpected(Failure{kNotAvailable});
      return paginate({}, args, false);
    }
    return descendant_groups(g, args);
  }

  Value project_field(const Project& p, const std::string& name, const json& args) {
    if (name == "id") return ordered_json(gid("Project", p.id));
    if (name == "name") return ordered_json(p.name);
    if (name == "path") return ordered_json(p.path);
    if (name == "fullPath") return ordered_json(p.path_with_namespace);
    if (name == "nameWithNamespace") return ordered_json(p.name_with_namespace);
    if (name == "visibility") return ordered_json(p.visibility);
    if (name == "archived") return ordered_json(p.archived);
    if (name == "webUrl") return ordered_json(ctx_.base_url + "/" + p.path_with_namespace);
    if (name == "group") {
      const Group* g = ctx_.world.group(p.namespace_id);
      if (g == nullptr || !can_see_group(ctx_.world, ctx_.viewer, *g, ctx_.today)) {
        return std::monostate{};
      }
      return group_node(*g);
    }
    // projectMembers
    const json& relations = args.at("relations");
    if (relations != json::array({"DIRECT"})) {
      return tl::unexpected(
          Failure{"gitlab-sim simulates projectMembers(relations: [DIRECT]) only, not " +
                  relations.dump()});
    }
    std::vector<Item> items;
    for (const Member& m : ctx_.world.members(SourceKind::kProject, p.id)) {
      if (!matches_search(m.user_id, args)) continue;
      items.push_back({member_node(m, SourceKind::kProject, p.id, m.access_level), "", m.user_id});
    }
    return paginate(std::move(items), args, false);
  }

  Value member_field(const Node& n, const std::string& name) {
    const Member& m = *n.member;
    if (name == "id") {
      return ordered_json(gid(n.source == SourceKind::kGroup ? "GroupMember" : "ProjectMember",
                              n.source_id * 10'000'000 + m.user_id));
    }
    if (name == "accessLevel") {
      Node a;
      a.kind = Node::Kind::kAccess;
      a.level = n.level;
      return a;
    }
    if (name == "expiresAt") {
      // members.expires_at is a date: Types::TimeType renders it with Date#iso8601.
      return m.expires_at ? ordered_json(*m.expires_at) : ordered_json(nullptr);
    }
    if (name == "createdAt" || name == "updatedAt") return ordered_json(m.created_at);
    if (name == "user" || name == "createdBy") {
      const User* u = ctx_.world.user(name == "user" ? m.user_id : m.created_by.value_or(0));
      if (u == nullptr) return std::monostate{};
      Node user;
      user.kind = Node::Kind::kUser;
      user.user = u;
      return user;
    }
    if (name == "group") {
      const Group* g = ctx_.world.group(n.source_id);
      if (g == nullptr) return std::monostate{};
      return group_node(*g);
    }
    // Pending member fields: never reached (the world has no pending members).
    return std::monostate{};
  }

  Value user_field(const User& u, const std::string& name) {
    if (name == "id") return ordered_json(gid("User", u.id));
    if (name == "username") return ordered_json(u.username);
    if (name == "name") return ordered_json(u.name);
    if (name == "state") return ordered_json(u.state);
    if (name == "bot") return ordered_json(u.bot);
    if (name == "publicEmail") {
      return u.public_email.empty() ? ordered_json(nullptr) : ordered_json(u.public_email);
    }
    return ordered_json(ctx_.base_url + "/" + u.username);  // webUrl
  }

  Value role_field(const CustomRole& r, const std::string& name) {
    if (name == "id") return ordered_json(gid("MemberRole", r.id));
    if (name == "name") return ordered_json(r.name);
    if (name == "description") return ordered_json(r.description);
    if (name == "baseAccessLevel") {
      Node a;
      a.kind = Node::Kind::kAccess;
      a.level = r.base_access_level;
      return a;
    }
    std::int64_t members = 0;
    std::set<Id> users;
    const auto count = [&](SourceKind kind, Id source) {
      for (const Member& m : ctx_.world.members(kind, source)) {
        if (m.member_role_id == r.id) {
          ++members;
          users.insert(m.user_id);
        }
      }
    };
    for (const auto& [id, g] : ctx_.world.groups()) count(SourceKind::kGroup, id);
    for (const auto& [id, p] : ctx_.world.projects()) count(SourceKind::kProject, id);
    return ordered_json(name == "membersCount" ? members : static_cast<std::int64_t>(users.size()));
  }

  // --- lists ---

  Value groups(const json& args) {
    std::vector<const Group*> candidates;
    if (args.contains("ids") && !args.at("ids").is_null()) {
      std::set<Id> wanted;
      for (const json& text : args.at("ids")) {
        auto id = parse_gid(text.get<std::string>(), "Group");
        if (!id) return tl::unexpected(id.error());
        wanted.insert(*id);
      }
      for (const Id id : wanted) {
        if (const Group* g = ctx_.world.group(id)) candidates.push_back(g);
      }
    } else if (args.contains("parentPath") && !args.at("parentPath").is_null()) {
      const std::string path = args.at("parentPath").get<std::string>();
      const Group* parent = ctx_.world.group_by_path(path);
      if (parent == nullptr || !can_see_group(ctx_.world, ctx_.viewer, *parent, ctx_.today)) {
        return tl::unexpected(Failure{"Could not find parent group with path " + path});
      }
      const std::vector<Id> ids = args.at("includeSubgroups").get<bool>()
                                      ? ctx_.world.descendants(parent->id)
                                      : ctx_.world.children(parent->id);
      for (const Id id : ids) candidates.push_back(ctx_.world.group(id));
    } else {
      for (const auto& [id, g] : ctx_.world.groups()) candidates.push_back(&g);
    }
    std::vector<const Group*> kept;
    for (const Group* g : candidates) {
      if (!can_see_group(ctx_.world, ctx_.viewer, *g, ctx_.today)) continue;
      if (args.at("topLevelOnly").get<bool>() && g->parent_id) continue;
      if (!args.at("allAvailable").get<bool>() &&
          !is_authorized_group(ctx_.world, ctx_.viewer, *g, ctx_.today)) {
        continue;
      }
      if (args.contains("search") && !args.at("search").is_null()) {
        const std::string s = args.at("search").get<std::string>();
        if (g->name.find(s) == std::string::npos && g->full_path.find(s) == std::string::npos) {
          continue;
        }
      }
      kept.push_back(g);
    }
    return group_list(kept, args.at("sort").get<std::string>(), args);
  }

  Value descendant_groups(const Group& g, const json& args) {
    const std::vector<Id> ids = args.at("includeParentDescendants").get<bool>()
                                    ? ctx_.world.descendants(g.id)
                                    : ctx_.world.children(g.id);
    std::vector<const Group*> kept;
    for (const Id id : ids) {
      const Group* d = ctx_.world.group(id);
      if (d != nullptr && can_see_group(ctx_.world, ctx_.viewer, *d, ctx_.today)) {
        kept.push_back(d);
      }
    }
    return group_list(kept, "name_asc", args);
  }

  Value group_list(std::vector<const Group*> groups, const std::string& sort, const json& args) {
    const bool by_id = sort.rfind("id_", 0) == 0;
    const bool desc = sort.size() > 5 && sort.compare(sort.size() - 5, 5, "_desc") == 0;
    std::sort(groups.begin(), groups.end(), [&](const Group* a, const Group* b) {
      if (!by_id && a->name != b->name) return desc ? a->name > b->name : a->name < b->name;
      return desc ? a->id > b->id : a->id < b->id;
    });
    std::vector<Item> items;
    for (const Group* g : groups) items.push_back({group_node(*g), by_id ? "" : g->name, g->id});
    return paginate(std::move(items), args, desc);
  }

  Value projects(const json& args) {
    std::vector<const Project*> kept;
    const auto consider = [&](const Project& p) {
      if (!can_see_project(ctx_.world, ctx_.viewer, p, ctx_.today)) return;
      if (args.contains("search") && !args.at("search").is_null() &&
          p.path_with_namespace.find(args.at("search").get<std::string>()) == std::string::npos) {
        return;
      }
      kept.push_back(&p);
    };
    if (args.contains("ids") && !args.at("ids").is_null()) {
      std::set<Id> wanted;
      for (const json& text : args.at("ids")) {
        auto id = parse_gid(text.get<std::string>(), "Project");
        if (!id) return tl::unexpected(id.error());
        wanted.insert(*id);
      }
      for (const Id id : wanted) {
        if (const Project* p = ctx_.world.project(id)) consider(*p);
      }
    } else {
      for (const auto& [id, p] : ctx_.world.projects()) consider(p);
    }
    // ProjectsFinder's default order: id descending.
    const std::string sort = args.contains("sort") && !args.at("sort").is_null()
                                 ? args.at("sort").get<std::string>()
                                 : "id_desc";
    const bool desc = sort != "id_asc";
    std::sort(kept.begin(), kept.end(), [&](const Project* a, const Project* b) {
      return desc ? a->id > b->id : a->id < b->id;
    });
    std::vector<Item> items;
    for (const Project* p : kept) items.push_back({project_node(*p), "", p->id});
    return paginate(std::move(items), args, desc);
  }

  Value group_members(const Group& g, const json& args) {
    std::set<std::string> relations;
    for (const json& r : args.at("relations")) relations.insert(r.get<std::string>());
    for (const std::string& r : relations) {
      if (r != "DIRECT" && r != "INHERITED" && r != "SHARED_FROM_GROUPS") {
        return tl::unexpected(
            Failure{"gitlab-sim simulates groupMembers relations DIRECT, INHERITED and "
                    "SHARED_FROM_GROUPS only, not " +
                    r});
      }
    }
    std::set<int> levels;
    if (args.contains("accessLevels") && !args.at("accessLevels").is_null()) {
      for (const json& l : args.at("accessLevels"))
        levels.insert(level_of_enum(l.get<std::string>()));
    }
    // One row per user, at the highest level (GroupMembersFinder's
    // distinct_on_user_with_max_access_level); with DIRECT alone, the group's own rows.
    std::map<Id, Node> best;
    const auto consider = [&](Id source) {
      for (const Member& m : ctx_.world.members(SourceKind::kGroup, source)) {
        auto [it, inserted] = best.try_emplace(m.user_id);
        if (inserted || m.access_level > it->second.level) {
          it->second = member_node(m, SourceKind::kGroup, source, m.access_level);
        }
      }
    };
    if (relations.count("DIRECT")) consider(g.id);
    if (relations.count("INHERITED")) {
      for (const Id a : ctx_.world.ancestors(g.id)) consider(a);
    }
    if (relations.count("SHARED_FROM_GROUPS")) {
      // GroupMembersFinder: the direct members of every group invited into the group or one of
      // its ancestors (Group.shared_into_ancestors), each at min(their level, the share's), no
      // Minimal Access rows (non_minimal_access). Like the simulator's shared_with_groups, every
      // share is listed whoever asks: GitLab hides an invited group the caller may not see
      // only from a caller who is no member of the group.
      std::vector<Id> chain{g.id};
      for (const Id a : ctx_.world.ancestors(g.id)) chain.push_back(a);
      for (const Id target : chain) {
        for (const GroupShare* share : ctx_.world.shares_into_group(target)) {
          if (is_expired(share->expires_at, ctx_.today)) continue;
          for (const Member& m : ctx_.world.members(SourceKind::kGroup, share->invited_group_id)) {
            if (m.access_level == kMinimalAccess || is_expired(m.expires_at, ctx_.today)) continue;
            const int level = std::min(m.access_level, share->group_access_level);
            auto [it, inserted] = best.try_emplace(m.user_id);
            if (inserted || level > it->second.level) {
              it->second = member_node(m, SourceKind::kGroup, share->invited_group_id, level);
            }
          }
        }
      }
    }
    std::vector<Item> items;
    for (auto& [user, node] : best) {
      if (!levels.empty() && levels.count(node.level) == 0) continue;
      if (!matches_search(user, args)) continue;
      items.push_back({std::move(node), "", user});
    }
    return paginate(std::move(items), args, false);
  }

  Value roles(std::optional<Id> root, const json& args) {
    std::vector<Item> items;
    for (const auto& [id, r] : ctx_.world.custom_roles()) {
      if (r.group_id != root) continue;
      Node n;
      n.kind = Node::Kind::kRole;
      n.role = &r;
      items.push_back({n, r.name, r.id});
    }
    std::sort(items.begin(), items.end(), [](const Item& a, const Item& b) {
      return a.primary != b.primary ? a.primary < b.primary : a.id < b.id;
    });
    return paginate(std::move(items), args, false);
  }

  // A page of `items` (already in order) after the `after` cursor, `first` of them (at most
  // GitLab's maximum page size).
  Value paginate(std::vector<Item> items, const json& args, bool descending) {
    const auto given = [&](const char* n) { return args.contains(n) && !args.at(n).is_null(); };
    if (given("last") || given("before")) {
      return tl::unexpected(Failure{"gitlab-sim simulates forward pagination (first, after) only"});
    }
    int first = kMaxPageSize;
    if (given("first")) {
      first = args.at("first").get<int>();
      if (first < 0) return tl::unexpected(Failure{"Argument 'first' must be >= 0"});
      first = std::min(first, kMaxPageSize);
    }
    std::size_t start = 0;
    if (given("after")) {
      const auto decoded = unbase64(args.at("after").get<std::string>());
      const json key = decoded ? json::parse(*decoded, nullptr, false) : json();
      if (!key.is_object() || !key.contains("id") || !key.at("id").is_string()) {
        return tl::unexpected(Failure{"Please provide a valid cursor"});
      }
      Id id = 0;
      const std::string text = key.at("id").get<std::string>();
      std::from_chars(text.data(), text.data() + text.size(), id);
      const std::string primary = key.contains("name") && key.at("name").is_string()
                                      ? key.at("name").get<std::string>()
                                      : "";
      // The first item past the cursor's key in the list's order (keyset, as GitLab pages).
      const auto after = [&](const Item& it) {
        if (it.primary != primary) return descending ? it.primary < primary : it.primary > primary;
        return descending ? it.id < id : it.id > id;
      };
      start =
          static_cast<std::size_t>(std::find_if(items.begin(), items.end(), after) - items.begin());
    }
    auto page = std::make_shared<Page>();
    page->has_previous = start > 0;
    for (std::size_t i = start;
         i < items.size() && page->items.size() < static_cast<std::size_t>(first); ++i) {
      page->cursors.push_back(cursor_of(items[i]));
      page->items.push_back(std::move(items[i].node));
    }
    page->has_next = start + page->items.size() < items.size();
    Node n;
    n.kind = Node::Kind::kConnection;
    n.page = std::move(page);
    return n;
  }

  // --- helpers ---

  bool matches_search(Id user_id, const json& args) const {
    if (!args.contains("search") || args.at("search").is_null()) return true;
    const User* u = ctx_.world.user(user_id);
    const std::string s = args.at("search").get<std::string>();
    return u != nullptr &&
           (u->username.find(s) != std::string::npos || u->name.find(s) != std::string::npos);
  }

  // Owners of the group (effective) and administrators: who may manage its members.
  bool may_manage(const Group& g) const {
    if (ctx_.viewer.admin()) return true;
    if (ctx_.viewer.user == nullptr) return false;
    for (Id id = g.id;;) {
      if (const Member* m = ctx_.world.member(SourceKind::kGroup, id, ctx_.viewer.user->id);
          m != nullptr && m->access_level >= kOwner &&
          (!m->expires_at || *m->expires_at > ctx_.today)) {
        return true;
      }
      const Group* cur = ctx_.world.group(id);
      if (cur == nullptr || !cur->parent_id) return false;
      id = *cur->parent_id;
    }
  }

  Node group_node(const Group& g) const {
    Node n;
    n.kind = Node::Kind::kGroup;
    n.group = &g;
    return n;
  }
  Node project_node(const Project& p) const {
    Node n;
    n.kind = Node::Kind::kProject;
    n.project = &p;
    return n;
  }
  static Node member_node(const Member& m, SourceKind kind, Id source, int level) {
    Node n;
    n.kind = Node::Kind::kMember;
    n.member = &m;
    n.source = kind;
    n.source_id = source;
    n.level = level;
    return n;
  }

  const Analysis& analysis_;
  const ExecContext& ctx_;
  int score_;
  std::vector<QueryError> errors_;
};

// Query text may hold any bytes (a string literal, a name in an error message): invalid UTF-8 is
// replaced rather than thrown on.
std::string dump(const ordered_json& j) {
  return j.dump(-1, ' ', false, ordered_json::error_handler_t::replace);
}

ordered_json errors_only(const std::vector<QueryError>& errors) {
  ordered_json out{{"errors", ordered_json::array()}};
  for (const QueryError& e : errors) out["errors"].push_back(e.to_json());
  return out;
}

ordered_json error_only(const std::string& message) {
  return ordered_json{{"errors", ordered_json::array({ordered_json{{"message", message}}})}};
}

// One query of a request, up to (not including) running it.
struct Prepared {
  std::optional<Document> document;
  std::optional<Analysis> analysis;
  ordered_json failed;  // the answer when it cannot run
};

Prepared prepare(const json& request, const ExecContext& ctx, Stats& stats) {
  Prepared p;
  ++stats.operations;
  if (!request.is_object() || !request.contains("query") || !request.at("query").is_string() ||
      request.at("query").get<std::string>().empty()) {
    p.failed = error_only("No query string was present");
    return p;
  }
  json variables = request.value("variables", json());
  if (variables.is_string()) {
    // GitLab also takes the variables as a JSON string (Gitlab::Graphql::Variables).
    const std::string text = variables.get<std::string>();
    variables = text.empty() ? json() : json::parse(text, nullptr, false);
    if (variables.is_discarded()) {
      p.failed = error_only("Unexpected end of input");
      return p;
    }
  }
  const std::string operation =
      request.contains("operationName") && request.at("operationName").is_string()
          ? request.at("operationName").get<std::string>()
          : "";
  auto document = parse(request.at("query").get<std::string>());
  if (!document) {
    QueryError e{document.error().message, document.error().location, nullptr, nullptr};
    p.failed = errors_only({e});
    return p;
  }
  p.document = std::move(*document);
  auto analysis = analyze(*p.document, operation, variables);
  if (!analysis) {
    p.failed = errors_only(analysis.error());
    return p;
  }
  for (const Field& f : analysis->operation->selections) ++stats.root_fields[f.name];
  if (analysis->depth > max_depth(ctx.viewer)) {
    p.failed = error_only("Query has depth of " + std::to_string(analysis->depth) +
                          ", which exceeds max depth of " + std::to_string(max_depth(ctx.viewer)));
    return p;
  }
  p.analysis = std::move(*analysis);
  return p;
}

}  // namespace

int max_complexity(const Viewer& viewer) {
  if (viewer.user == nullptr) return kAnonymousMaxComplexity;
  return viewer.admin() ? kAdminMaxComplexity : kAuthenticatedMaxComplexity;
}

int max_depth(const Viewer& viewer) {
  return viewer.user == nullptr ? kAnonymousMaxDepth : kAuthenticatedMaxDepth;
}

HttpAnswer answer(std::string_view body, const ExecContext& ctx) {
  HttpAnswer out;
  const json request = json::parse(body, nullptr, false);
  if (request.is_discarded()) {
    out.status = 400;
    out.body = dump(error_only("The request body is not valid JSON"));
    return out;
  }
  const bool multiplex = request.is_array();
  out.stats.multiplexed = multiplex;
  std::vector<json> queries =
      multiplex ? request.get<std::vector<json>>() : std::vector<json>{request};
  // GitlabController#limit_query_size: the query text of every query together.
  std::size_t size = 0;
  for (const json& q : queries) {
    if (q.is_object() && q.contains("query") && q.at("query").is_string()) {
      size += q.at("query").get<std::string>().size();
    }
  }
  if (size > kMaxQuerySize) {
    out.status = 422;
    out.body = dump(error_only("Query too large"));
    return out;
  }
  std::vector<Prepared> prepared;
  prepared.reserve(queries.size());
  int total = 0;
  for (const json& q : queries) {
    prepared.push_back(prepare(q, ctx, out.stats));
    if (prepared.back().analysis) total += prepared.back().analysis->complexity;
  }
  out.stats.complexity = total;
  const int limit = max_complexity(ctx.viewer);
  ordered_json results = ordered_json::array();
  for (Prepared& p : prepared) {
    if (!p.analysis) {
      results.push_back(std::move(p.failed));
      continue;
    }
    // Each query against the limit, and a multiplex as a whole (GitlabSchema.multiplex).
    const int score = multiplex ? total : p.analysis->complexity;
    if (score > limit) {
      out.stats.refused_for_complexity = true;
      results.push_back(error_only("Query has complexity of " + std::to_string(score) +
                                   ", which exceeds max complexity of " + std::to_string(limit)));
      continue;
    }
    results.push_back(Executor(*p.analysis, ctx, p.analysis->complexity).run());
  }
  out.body = multiplex ? dump(results) : dump(results.front());
  return out;
}

}  // namespace provisio::sim::graphql
