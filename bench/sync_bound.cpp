// bench_sync_bound WORLD.json ROOT...: the fewest GitLab requests any full sync of ROOTs can make
// at 100 per page, computed from the world file: the pages of each root's group tree and of its
// project list, one group read per group (the groups invited into it), and the pages of every
// group's and project's direct members (at least one page each). Also the /members/all strategy
// for comparison: the pages of every group's and project's effective members. And the request
// model of Backstage's GitLab org provider (plugins/catalog-backend-module-gitlab, client.ts) for
// the same roots, users and groups only: the instance's users (GET /users, 100 per page), each
// root's descendant groups (GraphQL, 100 per page) and each group's direct members (GraphQL,
// 100 per page), every request awaited before the next.
#include <cstdio>
#include <set>

#include "effective_access.hpp"
#include "world_json.hpp"

int main(int argc, char** argv) {
  using namespace provisio::sim;
  if (argc < 3) {
    std::fprintf(stderr, "usage: bench_sync_bound WORLD.json ROOT...\n");
    return 2;
  }
  auto world = read_world_file(argv[1]);
  if (!world) {
    std::fprintf(stderr, "%s\n", world.error().message.c_str());
    return 1;
  }
  const auto pages = [](std::size_t n) { return std::max<std::size_t>(1, (n + 99) / 100); };
  std::size_t tree = 0, details = 0, project_lists = 0, group_members = 0, project_members = 0;
  std::size_t members_all = 0;
  std::size_t backstage_groups = 0, backstage_members = 0;
  const std::string today = "2026-11-28";
  for (int i = 2; i < argc; ++i) {
    const Group* root = world->group_by_path(argv[i]);
    if (root == nullptr) {
      std::fprintf(stderr, "no root %s\n", argv[i]);
      return 1;
    }
    const std::vector<Id> below = world->descendants(root->id);
    tree += 1 + pages(below.size());  // the root, then its descendants
    std::vector<Id> groups = below;
    groups.push_back(root->id);
    details += below.size();
    backstage_groups += pages(below.size());
    std::size_t projects = 0;
    for (const Id g : groups) {
      group_members += pages(world->members(SourceKind::kGroup, g).size());
      backstage_members += pages(world->members(SourceKind::kGroup, g).size());
      members_all += pages(effective_members(*world, SourceKind::kGroup, g, today).size());
      for (const Id p : world->projects_in(g)) {
        ++projects;
        project_members += pages(world->members(SourceKind::kProject, p).size());
        members_all += pages(effective_members(*world, SourceKind::kProject, p, today).size());
      }
    }
    project_lists += pages(projects);
  }
  const std::size_t bound = tree + details + project_lists + group_members + project_members;
  std::printf(
      "lower bound: %zu requests (group tree %zu, group reads for shares %zu, project "
      "lists %zu, group members %zu, project members %zu)\n",
      bound, tree, details, project_lists, group_members, project_members);
  std::printf("members/all strategy: %zu requests (%.1fx the bound)\n",
              members_all + tree + project_lists,
              static_cast<double>(members_all + tree + project_lists) / static_cast<double>(bound));
  const std::size_t backstage_users = pages(world->users().size());
  std::printf(
      "backstage model (users and groups only, one request at a time): %zu requests (users %zu, "
      "descendant groups %zu, group members %zu)\n",
      backstage_users + backstage_groups + backstage_members, backstage_users, backstage_groups,
      backstage_members);
  std::printf(
      "provisio users and groups part: %zu requests (group tree %zu, group reads %zu, "
      "group members %zu)\n",
      tree + details + group_members, tree, details, group_members);
  return 0;
}
