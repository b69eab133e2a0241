// bench_store_bulk [ROWS]: rows per second through the Store's bulk path (Store::apply) on
// SQLite and on PostgreSQL (a throwaway local server). Inserts ROWS users (default 100,000) in
// one ChangeSet, then ROWS memberships, and prints the figures. Run from a release build.
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <string>

#include "postgres_cluster.hpp"
#include "store/store.hpp"
#include "store/uuid.hpp"

using namespace provisio;

namespace {

double seconds_since(std::chrono::steady_clock::time_point start) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

int run(const std::string& label, const std::string& url_text, int rows) {
  auto url = store::parse_database_url(url_text);
  auto box = std::make_shared<store::SecretBox>(store::SecretBox::Key{});
  auto opened = store::open_store(*url, box);
  if (!opened) {
    std::fprintf(stderr, "%s: %s\n", label.c_str(), opened.error().message.c_str());
    return 1;
  }
  auto& s = **opened;
  if (auto m = s.migrate(); !m) {
    std::fprintf(stderr, "%s: %s\n", label.c_str(), m.error().message.c_str());
    return 1;
  }
  ChangeSet users;
  users.users_to_create.reserve(rows);
  for (int i = 0; i < rows; ++i) {
    User u;
    u.uuid = store::new_uuid();
    u.login = "user-" + std::to_string(i);
    u.name = "User " + std::to_string(i);
    u.email = "user" + std::to_string(i) + "@example.com";
    u.managed = true;
    u.external_provider = ExternalProvider::kGitlab;
    u.external_id = std::to_string(i);
    u.external_login = "user" + std::to_string(i);
    users.users_to_create.push_back(std::move(u));
  }
  auto start = std::chrono::steady_clock::now();
  auto applied = s.apply(users);
  const double t_users = seconds_since(start);
  if (!applied) {
    std::fprintf(stderr, "%s: %s\n", label.c_str(), applied.error().message.c_str());
    return 1;
  }
  // Memberships of every user in one mirrored group (rows already stored: referenced by id).
  Group g;
  g.name = "root/team";
  g.managed = true;
  auto group = s.create_group(g);
  auto state = s.load_state();
  ChangeSet members;
  for (const User& u : state->users) {
    members.memberships_to_add.push_back(
        {RowRef::of_id(group->id), RowRef::of_id(u.id)});
  }
  start = std::chrono::steady_clock::now();
  auto applied2 = s.apply(members);
  const double t_members = seconds_since(start);
  if (!applied2) {
    std::fprintf(stderr, "%s: %s\n", label.c_str(), applied2.error().message.c_str());
    return 1;
  }
  std::printf("%-10s users:       %7d rows written in %6.3f s = %9.0f rows/s\n", label.c_str(),
              static_cast<int>(applied->rows_written), t_users, applied->rows_written / t_users);
  std::printf("%-10s memberships: %7d rows written in %6.3f s = %9.0f rows/s\n", label.c_str(),
              static_cast<int>(applied2->rows_written), t_members,
              applied2->rows_written / t_members);
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  const int rows = argc > 1 ? std::atoi(argv[1]) : 100'000;
  const std::string dir = testing::make_temp_dir("provisio-bench-");
  int rc = run("sqlite", "sqlite:" + dir + "/bench.db", rows);
  std::filesystem::remove_all(dir);
  try {
    testing::PostgresCluster pg;
    rc |= run("postgresql", pg.create_database("bench"), rows);
  } catch (const std::exception& e) {
    std::fprintf(stderr, "postgresql: %s\n", e.what());
    rc = 1;
  }
  return rc;
}
