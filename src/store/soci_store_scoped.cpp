// The rows of event-driven partial syncs: a part of the state by GitLab ids, where a GitLab
// user's rows are, and where GitLab groups are invited.
#include <algorithm>
#include <functional>
#include <map>

#include "store/bulk.hpp"
#include "store/query.hpp"
#include "store/rows.hpp"
#include "store/soci_store.hpp"

namespace provisio::store {

using sql::Binder;
using sql::guarded;
using sql::Lease;
using sql::Tx;

namespace {

// IN lists are bound value by value; a few hundred per statement keeps every backend's limit on
// bound values far away (and SOCI's SQLite backend, quadratic in them, fast).
constexpr std::size_t kPerStatement = 400;

template <typename T>
std::vector<std::vector<T>> chunks(const std::vector<T>& all) {
  std::vector<std::vector<T>> out;
  for (std::size_t i = 0; i < all.size(); i += kPerStatement) {
    out.emplace_back(
        all.begin() + static_cast<std::ptrdiff_t>(i),
        all.begin() + static_cast<std::ptrdiff_t>(std::min(all.size(), i + kPerStatement)));
  }
  return out;
}

template <typename T>
std::string in_list(Binder& b, const std::vector<T>& values) {
  std::string out = "(";
  for (std::size_t i = 0; i < values.size(); ++i) out += (i ? ", " : "") + b.add(values[i]);
  return out + ")";
}

// Every row of `Row` that `where` (given a chunk of values) selects, over all the chunks.
template <typename Row, typename T, typename Where>
auto select_in(Lease& lease, const std::string& table, const std::vector<T>& values, Where where) {
  std::vector<decltype(Row{}.get())> out;
  for (const auto& chunk : chunks(values)) {
    Row row;
    Binder b(*lease);
    row.bind(b.statement());
    auto part = collect(
        b, row,
        std::string("SELECT ") + Row::kColumns + " FROM " + table + " WHERE " + where(b, chunk));
    std::move(part.begin(), part.end(), std::back_inserter(out));
  }
  return out;
}

std::vector<std::string> texts(const std::set<std::int64_t>& ids) {
  std::vector<std::string> out;
  out.reserve(ids.size());
  for (const std::int64_t id : ids) out.push_back(std::to_string(id));
  return out;
}

std::vector<long long> numbers(const std::set<std::int64_t>& ids) {
  return {ids.begin(), ids.end()};
}

// (group, user) pairs selected by `where`, over the chunks of `values`.
std::vector<Membership> memberships_in(
    Lease& lease, const std::vector<long long>& values,
    const std::function<std::string(Binder&, const std::vector<long long>&)>& where) {
  std::vector<Membership> out;
  for (const auto& chunk : chunks(values)) {
    Binder b(*lease);
    long long g = 0, u = 0;
    b.statement().exchange(soci::into(g));
    b.statement().exchange(soci::into(u));
    if (b.query("SELECT group_id, user_id FROM group_members WHERE " + where(b, chunk))) {
      do {
        out.push_back({g, u});
      } while (b.statement().fetch());
    }
  }
  return out;
}

}  // namespace

Result<AuthorizationState> SociStore::load_scoped_state(const StateScope& scope) {
  return guarded([&]() -> Result<AuthorizationState> {
    Lease lease(*db_);
    sql::ReadTx read(lease);  // one read transaction, so the parts agree with each other
    const std::string gitlab(to_string(ExternalProvider::kGitlab));
    AuthorizationState s;

    // Groups: the default one, the mirrored ones named, and those holding the names given.
    std::map<GroupId, Group> groups;
    {
      rows::GroupRow row;
      Binder b(*lease);
      row.bind(b.statement());
      for (Group& g : collect(b, row,
                              std::string("SELECT ") + rows::GroupRow::kColumns +
                                  " FROM user_groups WHERE is_default = 1")) {
        groups.emplace(g.id, std::move(g));
      }
    }
    std::vector<long long> mirrored;
    for (Group& g : select_in<rows::GroupRow>(
             lease, "user_groups", texts(scope.gitlab_groups),
             [](Binder&b, const auto&chunk) { return "external_id IN " + in_list(b, chunk); })) {
      mirrored.push_back(g.id);
      groups.emplace(g.id, std::move(g));
    }
    const std::vector<std::string> names(scope.group_names.begin(), scope.group_names.end());
    for (Group& g : select_in<rows::GroupRow>(
             lease, "user_groups", names,
             [](Binder&b, const auto&chunk) { return "name IN " + in_list(b, chunk); })) {
      // A local group of a mirrored group's name is adopted: its members are compared too.
      if (!g.managed && !g.is_default && groups.count(g.id) == 0) mirrored.push_back(g.id);
      groups.emplace(g.id, std::move(g));
    }
    GroupId default_group = 0;
    for (auto& [id, g] : groups) {
      if (g.is_default) default_group = id;
      s.groups.push_back(std::move(g));
    }

    // Bound projects and every grant on them.
    s.projects = select_in<rows::ProjectRow>(
        lease, "projects", numbers(scope.gitlab_projects),
        [](Binder& b, const auto& chunk) { return "gitlab_project_id IN " + in_list(b, chunk); });
    std::vector<long long> project_ids;
    for (const Project& p : s.projects) project_ids.push_back(p.id);
    s.permissions = select_in<rows::GrantRow>(
        lease, "permissions", project_ids,
        [](Binder& b, const auto& chunk) { return "project_id IN " + in_list(b, chunk); });

    // Members of the mirrored groups, and the users of every row read.
    std::vector<Membership> memberships = memberships_in(
        lease, mirrored,
        [](Binder& b, const auto& chunk) { return "group_id IN " + in_list(b, chunk); });
    std::set<long long> user_ids;
    for (const Membership& m : memberships) user_ids.insert(m.user_id);
    for (const PermissionGrant& g : s.permissions) {
      if (g.user_id) user_ids.insert(*g.user_id);
    }
    std::map<UserId, User> users;
    for (User& u : select_in<rows::UserRow>(
             lease, "users", std::vector<long long>(user_ids.begin(), user_ids.end()),
             [](Binder&b, const auto&chunk) { return "id IN " + in_list(b, chunk); })) {
      users.emplace(u.id, std::move(u));
    }
    for (User& u : select_in<rows::UserRow>(lease, "users", texts(scope.gitlab_users),
                                            [&](Binder&b, const auto&chunk) {
                                              return "external_provider = " + b.add(gitlab) +
                                                     " AND external_id IN " + in_list(b, chunk);
                                            })) {
      users.emplace(u.id, std::move(u));
    }
    std::vector<long long> loaded;
    for (auto& [id, u] : users) {
      loaded.push_back(id);
      s.users.push_back(std::move(u));
    }
    // Their memberships of the default group, which a reactivation restores.
    if (default_group != 0) {
      const long long d = default_group;
      for (const Membership& m : memberships_in(lease, loaded, [d](Binder&b, const auto&chunk) {
             return "group_id = " + b.add(d) + " AND user_id IN " + in_list(b, chunk);
           })) {
        memberships.push_back(m);
      }
    }
    s.memberships = GroupMembers::from(std::move(memberships));
    return s;
  });
}

Result<std::set<std::int64_t>> SociStore::bound_gitlab_projects() {
  return guarded([&]() -> Result<std::set<std::int64_t>> {
    Lease lease(*db_);
    Binder b(*lease);
    long long id = 0;
    b.statement().exchange(soci::into(id));
    std::set<std::int64_t> out;
    if (b.query("SELECT gitlab_project_id FROM projects WHERE gitlab_project_id IS NOT NULL")) {
      do {
        out.insert(id);
      } while (b.statement().fetch());
    }
    return out;
  });
}

Result<SyncScope> SociStore::rows_of_gitlab_users(const std::set<std::int64_t>& users) {
  return guarded([&]() -> Result<SyncScope> {
    Lease lease(*db_);
    const std::string gitlab(to_string(ExternalProvider::kGitlab));
    SyncScope out;
    for (const auto& chunk : chunks(texts(users))) {
      {
        Binder b(*lease);
        std::string external;
        b.statement().exchange(soci::into(external));
        if (b.query("SELECT DISTINCT g.external_id FROM group_members m JOIN user_groups g ON "
                    "g.id = m.group_id JOIN users u ON u.id = m.user_id WHERE g.external_id IS "
                    "NOT NULL AND u.external_provider = " +
                    b.add(gitlab) + " AND u.external_id IN " + in_list(b, chunk))) {
          do {
            try {
              out.groups.insert(std::stoll(external));
            } catch (...) {  // NOLINT(bugprone-empty-catch): not a GitLab id; not mirrored
            }
          } while (b.statement().fetch());
        }
      }
      Binder b(*lease);
      long long project = 0;
      b.statement().exchange(soci::into(project));
      if (b.query("SELECT DISTINCT p.gitlab_project_id FROM permissions x JOIN projects p ON "
                  "p.id = x.project_id JOIN users u ON u.id = x.user_id WHERE "
                  "p.gitlab_project_id IS NOT NULL AND u.external_provider = " +
                  b.add(gitlab) + " AND u.external_id IN " + in_list(b, chunk))) {
        do {
          out.projects.insert(project);
        } while (b.statement().fetch());
      }
    }
    return out;
  });
}

Status SociStore::save_share_links(const std::vector<ShareLink>& links) {
  return guarded([&]() -> Status {
    Lease lease(*db_);
    Tx tx(lease);
    *lease << "DELETE FROM gitlab_shares";
    batched(lease, "INSERT INTO gitlab_shares (invited_group_id, into_project, target_id) VALUES ",
            "", 3, links, [](Binder& b, const ShareLink& l) {
              return b.row({static_cast<long long>(l.invited_group),
                            static_cast<long long>(l.into_project ? 1 : 0),
                            static_cast<long long>(l.target)});
            });
    tx.commit();
    return {};
  });
}

Result<std::vector<ShareLink>> SociStore::share_links_of(const std::set<std::int64_t>& invited) {
  return guarded([&]() -> Result<std::vector<ShareLink>> {
    Lease lease(*db_);
    std::vector<ShareLink> out;
    for (const auto& chunk : chunks(numbers(invited))) {
      Binder b(*lease);
      long long group = 0, target = 0;
      int into_project = 0;
      b.statement().exchange(soci::into(group));
      b.statement().exchange(soci::into(into_project));
      b.statement().exchange(soci::into(target));
      if (b.query("SELECT invited_group_id, into_project, target_id FROM gitlab_shares WHERE "
                  "invited_group_id IN " +
                  in_list(b, chunk))) {
        do {
          out.push_back({group, into_project != 0, target});
        } while (b.statement().fetch());
      }
    }
    return out;
  });
}

}  // namespace provisio::store
