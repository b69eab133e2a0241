#include "world.hpp"

#include <algorithm>
#include <cctype>
#include <functional>

namespace provisio::sim {
namespace {

std::string lower(std::string text) {
  std::transform(text.begin(), text.end(), text.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return text;
}

const std::vector<Member> kNoMembers;
const std::vector<Id> kNoIds;

template <typename Map>
const typename Map::mapped_type* find_in(const Map& map, Id key) {
  const auto it = map.find(key);
  return it == map.end() ? nullptr : &it->second;
}

void insert_sorted(std::vector<Id>& ids, Id id) {
  const auto it = std::lower_bound(ids.begin(), ids.end(), id);
  if (it == ids.end() || *it != id) ids.insert(it, id);
}

void erase_sorted(std::vector<Id>& ids, Id id) {
  const auto it = std::lower_bound(ids.begin(), ids.end(), id);
  if (it != ids.end() && *it == id) ids.erase(it);
}

auto by_user = [](const Member& m, Id user_id) { return m.user_id < user_id; };

}  // namespace

std::string role_name(int access_level) {
  switch (access_level) {
    case kNoAccess:
      return "No access";
    case kMinimalAccess:
      return "Minimal Access";
    case kGuest:
      return "Guest";
    case kPlanner:
      return "Planner";
    case kReporter:
      return "Reporter";
    case kDeveloper:
      return "Developer";
    case kMaintainer:
      return "Maintainer";
    case kOwner:
      return "Owner";
    default:
      return "Custom";
  }
}

bool is_valid_access_level(int level) {
  return level == kMinimalAccess || level == kGuest || level == kPlanner || level == kReporter ||
         level == kDeveloper || level == kMaintainer || level == kOwner;
}

bool is_valid_visibility(const std::string& v) {
  return v == "private" || v == "internal" || v == "public";
}

void World::assign(std::vector<User> users, std::vector<Group> groups,
                   std::vector<Project> projects, std::vector<CustomRole> roles,
                   std::map<Id, std::vector<Member>> group_members,
                   std::map<Id, std::vector<Member>> project_members,
                   std::vector<GroupShare> group_shares, std::vector<ProjectShare> project_shares,
                   std::vector<Token> tokens, std::vector<OAuthApplication> applications) {
  users_.clear();
  groups_.clear();
  projects_.clear();
  roles_.clear();
  for (auto& u : users) users_.emplace(u.id, std::move(u));
  for (auto& g : groups) groups_.emplace(g.id, std::move(g));
  for (auto& p : projects) projects_.emplace(p.id, std::move(p));
  for (auto& r : roles) roles_.emplace(r.id, std::move(r));
  group_members_.clear();
  project_members_.clear();
  for (auto& [id, list] : group_members) group_members_[id] = std::move(list);
  for (auto& [id, list] : project_members) project_members_[id] = std::move(list);
  for (auto* map : {&group_members_, &project_members_}) {
    for (auto& [id, list] : *map) {
      std::sort(list.begin(), list.end(),
                [](const Member& a, const Member& b) { return a.user_id < b.user_id; });
    }
  }
  group_shares_ = std::move(group_shares);
  project_shares_ = std::move(project_shares);
  tokens_ = std::move(tokens);
  applications_ = std::move(applications);
  user_by_name_.clear();
  for (const auto& [id, u] : users_) user_by_name_[lower(u.username)] = id;
  rebuild_structure();
  rebuild_member_index();
  ++version_;
}

void World::rebuild_structure() {
  children_.clear();
  projects_in_.clear();
  for (const auto& [id, g] : groups_) {
    if (g.parent_id) children_[*g.parent_id].push_back(id);
  }
  for (const auto& [id, p] : projects_) projects_in_[p.namespace_id].push_back(id);
  shares_into_.clear();
  shares_of_invited_.clear();
  for (std::size_t i = 0; i < group_shares_.size(); ++i) {
    shares_into_[group_shares_[i].shared_group_id].push_back(i);
    shares_of_invited_[group_shares_[i].invited_group_id].push_back(i);
  }
  project_shares_of_.clear();
  project_shares_with_.clear();
  for (std::size_t i = 0; i < project_shares_.size(); ++i) {
    project_shares_of_[project_shares_[i].project_id].push_back(i);
    project_shares_with_[project_shares_[i].group_id].push_back(i);
  }
  token_by_secret_.clear();
  for (std::size_t i = 0; i < tokens_.size(); ++i) token_by_secret_[tokens_[i].token] = i;
  rebuild_paths();
}

void World::rebuild_paths() {
  group_by_path_.clear();
  // Parents before children: walk from the roots.
  std::function<void(Id)> visit = [&](Id id) {
    Group& g = groups_.at(id);
    if (g.parent_id) {
      const Group& parent = groups_.at(*g.parent_id);
      g.full_path = parent.full_path + "/" + g.path;
      g.full_name = parent.full_name + " / " + g.name;
    } else {
      g.full_path = g.path;
      g.full_name = g.name;
    }
    group_by_path_[lower(g.full_path)] = id;
    for (Id child : children(id)) visit(child);
  };
  for (const auto& [id, g] : groups_) {
    if (!g.parent_id) visit(id);
  }
  project_by_path_.clear();
  for (auto& [id, p] : projects_) {
    const Group* ns = group(p.namespace_id);
    p.path_with_namespace = (ns ? ns->full_path : std::string("unknown")) + "/" + p.path;
    p.name_with_namespace = (ns ? ns->full_name : std::string("unknown")) + " / " + p.name;
    project_by_path_[lower(p.path_with_namespace)] = id;
  }
}

void World::rebuild_member_index() {
  groups_of_user_.clear();
  projects_of_user_.clear();
  for (const auto& [id, list] : group_members_) {
    for (const Member& m : list) groups_of_user_[m.user_id].push_back(id);
  }
  for (const auto& [id, list] : project_members_) {
    for (const Member& m : list) projects_of_user_[m.user_id].push_back(id);
  }
  for (auto* map : {&groups_of_user_, &projects_of_user_}) {
    for (auto& [id, list] : *map) std::sort(list.begin(), list.end());
  }
}

const User* World::user(Id id) const { return find_in(users_, id); }
const Group* World::group(Id id) const { return find_in(groups_, id); }
const Project* World::project(Id id) const { return find_in(projects_, id); }
const CustomRole* World::custom_role(Id id) const { return find_in(roles_, id); }

const User* World::user_by_username(const std::string& username) const {
  const auto it = user_by_name_.find(lower(username));
  return it == user_by_name_.end() ? nullptr : user(it->second);
}

const Group* World::group_by_path(const std::string& full_path) const {
  const auto it = group_by_path_.find(lower(full_path));
  return it == group_by_path_.end() ? nullptr : group(it->second);
}

const Project* World::project_by_path(const std::string& path) const {
  const auto it = project_by_path_.find(lower(path));
  return it == project_by_path_.end() ? nullptr : project(it->second);
}

const Token* World::token_by_secret(const std::string& secret) const {
  const auto it = token_by_secret_.find(secret);
  return it == token_by_secret_.end() ? nullptr : &tokens_[it->second];
}

const OAuthApplication* World::application_by_client_id(const std::string& client_id) const {
  for (const auto& app : applications_) {
    if (app.client_id == client_id) return &app;
  }
  return nullptr;
}

const std::vector<Member>& World::members(SourceKind kind, Id source_id) const {
  const auto& map = kind == SourceKind::kGroup ? group_members_ : project_members_;
  const auto it = map.find(source_id);
  return it == map.end() ? kNoMembers : it->second;
}

const Member* World::member(SourceKind kind, Id source_id, Id user_id) const {
  const auto& list = members(kind, source_id);
  const auto it = std::lower_bound(list.begin(), list.end(), user_id, by_user);
  return it != list.end() && it->user_id == user_id ? &*it : nullptr;
}

const std::vector<Id>& World::children(Id group_id) const {
  const auto it = children_.find(group_id);
  return it == children_.end() ? kNoIds : it->second;
}

const std::vector<Id>& World::projects_in(Id group_id) const {
  const auto it = projects_in_.find(group_id);
  return it == projects_in_.end() ? kNoIds : it->second;
}

std::vector<Id> World::ancestors(Id group_id) const {
  std::vector<Id> out;
  const Group* g = group(group_id);
  while (g != nullptr && g->parent_id) {
    out.push_back(*g->parent_id);
    g = group(*g->parent_id);
  }
  return out;
}

std::vector<Id> World::descendants(Id group_id) const {
  std::vector<Id> out;
  std::function<void(Id)> visit = [&](Id id) {
    for (Id child : children(id)) {
      out.push_back(child);
      visit(child);
    }
  };
  visit(group_id);
  return out;
}

bool World::is_self_or_ancestor(Id ancestor, Id group_id) const {
  const Group* g = group(group_id);
  while (g != nullptr) {
    if (g->id == ancestor) return true;
    g = g->parent_id ? group(*g->parent_id) : nullptr;
  }
  return false;
}

namespace {
template <typename T>
std::vector<const T*> pick(const std::unordered_map<Id, std::vector<std::size_t>>& index, Id key,
                           const std::vector<T>& items) {
  std::vector<const T*> out;
  const auto it = index.find(key);
  if (it != index.end()) {
    for (std::size_t i : it->second) out.push_back(&items[i]);
  }
  return out;
}
}  // namespace

std::vector<const GroupShare*> World::shares_into_group(Id group_id) const {
  return pick(shares_into_, group_id, group_shares_);
}
std::vector<const GroupShare*> World::shares_of_invited_group(Id group_id) const {
  return pick(shares_of_invited_, group_id, group_shares_);
}
std::vector<const ProjectShare*> World::shares_of_project(Id project_id) const {
  return pick(project_shares_of_, project_id, project_shares_);
}
std::vector<const ProjectShare*> World::project_shares_with_group(Id group_id) const {
  return pick(project_shares_with_, group_id, project_shares_);
}

const std::vector<Id>& World::groups_of_user(Id user_id) const {
  const auto it = groups_of_user_.find(user_id);
  return it == groups_of_user_.end() ? kNoIds : it->second;
}

const std::vector<Id>& World::projects_of_user(Id user_id) const {
  const auto it = projects_of_user_.find(user_id);
  return it == projects_of_user_.end() ? kNoIds : it->second;
}

bool World::put_member(SourceKind kind, Id source_id, Member member) {
  const bool known =
      kind == SourceKind::kGroup ? group(source_id) != nullptr : project(source_id) != nullptr;
  if (!known || user(member.user_id) == nullptr) return false;
  auto& list = (kind == SourceKind::kGroup ? group_members_ : project_members_)[source_id];
  const auto it = std::lower_bound(list.begin(), list.end(), member.user_id, by_user);
  if (it != list.end() && it->user_id == member.user_id) {
    *it = std::move(member);
  } else {
    const Id user_id = member.user_id;
    list.insert(it, std::move(member));
    insert_sorted(
        kind == SourceKind::kGroup ? groups_of_user_[user_id] : projects_of_user_[user_id],
        source_id);
  }
  ++version_;
  return true;
}

bool World::remove_member(SourceKind kind, Id source_id, Id user_id) {
  auto& map = kind == SourceKind::kGroup ? group_members_ : project_members_;
  const auto found = map.find(source_id);
  if (found == map.end()) return false;
  auto& list = found->second;
  const auto it = std::lower_bound(list.begin(), list.end(), user_id, by_user);
  if (it == list.end() || it->user_id != user_id) return false;
  list.erase(it);
  erase_sorted(kind == SourceKind::kGroup ? groups_of_user_[user_id] : projects_of_user_[user_id],
               source_id);
  ++version_;
  return true;
}

bool World::set_user_state(Id user_id, const std::string& state) {
  const auto it = users_.find(user_id);
  if (it == users_.end()) return false;
  it->second.state = state;
  ++version_;
  return true;
}

bool World::set_group_visibility(Id group_id, const std::string& visibility) {
  const auto it = groups_.find(group_id);
  if (it == groups_.end()) return false;
  it->second.visibility = visibility;
  ++version_;
  return true;
}

bool World::set_project_visibility(Id project_id, const std::string& visibility) {
  const auto it = projects_.find(project_id);
  if (it == projects_.end()) return false;
  it->second.visibility = visibility;
  ++version_;
  return true;
}

bool World::rename_group(Id group_id, const std::string& name, const std::string& path) {
  const auto it = groups_.find(group_id);
  if (it == groups_.end()) return false;
  it->second.name = name;
  it->second.path = path;
  rebuild_paths();
  ++version_;
  return true;
}

bool World::move_group(Id group_id, std::optional<Id> new_parent) {
  const auto it = groups_.find(group_id);
  if (it == groups_.end()) return false;
  if (new_parent && (group(*new_parent) == nullptr || is_self_or_ancestor(group_id, *new_parent))) {
    return false;
  }
  it->second.parent_id = new_parent;
  rebuild_structure();
  ++version_;
  return true;
}

bool World::delete_group(Id group_id) {
  if (group(group_id) == nullptr) return false;
  std::vector<Id> doomed = descendants(group_id);
  doomed.push_back(group_id);
  for (Id g : doomed) {
    for (Id p : std::vector<Id>(projects_in(g))) {
      projects_.erase(p);
      project_members_.erase(p);
      std::erase_if(project_shares_, [p](const ProjectShare& s) { return s.project_id == p; });
    }
    groups_.erase(g);
    group_members_.erase(g);
    std::erase_if(group_shares_, [g](const GroupShare& s) {
      return s.shared_group_id == g || s.invited_group_id == g;
    });
    std::erase_if(project_shares_, [g](const ProjectShare& s) { return s.group_id == g; });
  }
  rebuild_structure();
  rebuild_member_index();
  ++version_;
  return true;
}

bool World::rename_project(Id project_id, const std::string& name, const std::string& path) {
  const auto it = projects_.find(project_id);
  if (it == projects_.end()) return false;
  it->second.name = name;
  it->second.path = path;
  rebuild_paths();
  ++version_;
  return true;
}

bool World::move_project(Id project_id, Id new_namespace) {
  const auto it = projects_.find(project_id);
  if (it == projects_.end() || group(new_namespace) == nullptr) return false;
  it->second.namespace_id = new_namespace;
  rebuild_structure();
  ++version_;
  return true;
}

bool World::delete_project(Id project_id) {
  if (projects_.erase(project_id) == 0) return false;
  project_members_.erase(project_id);
  std::erase_if(project_shares_,
                [project_id](const ProjectShare& s) { return s.project_id == project_id; });
  rebuild_structure();
  rebuild_member_index();
  ++version_;
  return true;
}

bool World::revoke_token(const std::string& secret_or_id) {
  for (Token& t : tokens_) {
    if (t.token == secret_or_id || std::to_string(t.id) == secret_or_id) {
      t.revoked = true;
      ++version_;
      return true;
    }
  }
  return false;
}

bool World::update_token(const std::string& secret_or_id,
                         const std::optional<std::optional<std::string>>& expires_at,
                         const std::optional<std::vector<std::string>>& scopes) {
  for (Token& t : tokens_) {
    if (t.token == secret_or_id || std::to_string(t.id) == secret_or_id) {
      if (expires_at) t.expires_at = *expires_at;
      if (scopes) t.scopes = *scopes;
      ++version_;
      return true;
    }
  }
  return false;
}

void World::add_token(Token token) {
  token_by_secret_[token.token] = tokens_.size();
  tokens_.push_back(std::move(token));
}

}  // namespace provisio::sim
