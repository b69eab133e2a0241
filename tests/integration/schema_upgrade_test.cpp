// Upgrading and downgrading with the built binary: a database left by the previous schema
// version (built here by applying the migrations before the last one) keeps its data when the
// current binary starts on it; a database newer than the binary is refused with a clear message.

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "child_process.hpp"
#include "served_provisio.hpp"
#include "sqlite_file.hpp"
#include "store/migrations.hpp"
#include "store/store.hpp"
#include "temp_dir.hpp"

namespace provisio::testing {
namespace {

const std::string kProvisio = PROVISIO_BINARY;

// The schema as the release before this one left it: every migration but the last.
void create_previous_schema(const std::string& db) {
  sqlite_exec(db,
              "CREATE TABLE schema_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL, "
              "applied_at INTEGER NOT NULL)");
  for (const store::Migration& m : store::migrations()) {
    if (m.version >= store::latest_schema_version()) break;
    for (const std::string& statement : m.statements) {
      sqlite_exec(db, store::render(statement, store::sql::Dialect::kSqlite));
    }
    sqlite_exec(db, "INSERT INTO schema_migrations VALUES (" + std::to_string(m.version) +
                        ", 'previous', 1700000000000)");
  }
}

TEST(SchemaUpgrade, DataOfThePreviousSchemaVersionSurvivesTheUpgrade) {
  ASSERT_GE(store::latest_schema_version(), 2);
  TempDir dir;
  const std::string data = (dir.path() / "data").string();
  std::filesystem::create_directories(data);
  const std::string db = data + "/provisio.db";
  create_previous_schema(db);
  // A provisioned user in a mirrored group, with a permission on a bound project.
  sqlite_exec(db, R"(
    INSERT INTO users (uuid, login, name, email, active, is_local, managed, external_provider,
                       external_id, external_login, created_at, updated_at)
      VALUES ('u-1', 'alice-123', 'Alice', 'alice@example.com', 1, 0, 1, 'gitlab', '42', 'alice',
              1700000000000, 1700000000000);
    INSERT INTO user_groups (uuid, name, description, managed, is_default, external_id)
      VALUES ('g-1', 'acme/dev', 'GitLab group acme/dev', 1, 0, '7');
    INSERT INTO group_members SELECT g.id, u.id FROM user_groups g, users u
      WHERE u.login = 'alice-123';
    INSERT INTO projects (uuid, project_key, name, visibility, gitlab_project_id, created_at)
      VALUES ('p-1', 'web', 'Web shop', 'private', 100, 1700000000000);
    INSERT INTO permissions (project_id, user_id, permission)
      SELECT p.id, u.id, 'codeviewer' FROM projects p, users u WHERE u.login = 'alice-123';
  )");

  {
    ServedProvisio server(kProvisio, data, (dir.path() / "serve.stderr").string(),
                          {{"PROVISIO_ADMIN_PASSWORD", "upgrade-Admin-pw-1"}});
    ASSERT_NE(server.port(), 0) << server.stderr_text();
    EXPECT_EQ(server.terminate(), 0);
  }
  const std::string err = (dir.path() / "command.stderr").string();
  const auto migrate = run_command(kProvisio, {"migrate", "--data-dir", data}, {}, err);
  EXPECT_EQ(migrate.out, "Schema version " + std::to_string(store::latest_schema_version()) + "\n");

  const auto exported = run_command(kProvisio, {"export", "--data-dir", data}, {}, err);
  ASSERT_EQ(exported.exit_code, 0) << exported.err;
  const auto state = nlohmann::json::parse(exported.out);
  const auto has = [&](const char* list, const nlohmann::json& item) {
    for (const auto& e : state.at(list)) {
      if (e == item) return true;
    }
    return false;
  };
  EXPECT_TRUE(has("users", {{"login", "alice-123"},
                            {"name", "Alice"},
                            {"email", "alice@example.com"},
                            {"active", true},
                            {"local", false},
                            {"managed", true},
                            {"externalProvider", "gitlab"},
                            {"externalId", "42"},
                            {"externalLogin", "alice"}}))
      << exported.out;
  EXPECT_TRUE(has("memberships", {{"group", "acme/dev"}, {"login", "alice-123"}})) << exported.out;
  EXPECT_TRUE(has("projects", {{"key", "web"},
                               {"name", "Web shop"},
                               {"visibility", "private"},
                               {"gitlabProjectId", 100},
                               {"managed", true}}))
      << exported.out;
  EXPECT_TRUE(has("permissions",
                  {{"projectKey", "web"}, {"login", "alice-123"}, {"permission", "codeviewer"}}))
      << exported.out;
}

TEST(SchemaDowngrade, AServerOlderThanItsDatabaseRefusesToStart) {
  TempDir dir;
  const std::string data = (dir.path() / "data").string();
  const std::string err = (dir.path() / "command.stderr").string();
  ASSERT_EQ(run_command(kProvisio, {"migrate", "--data-dir", data}, {}, err).exit_code, 0);
  const int newer = store::latest_schema_version() + 1;
  sqlite_exec(data + "/provisio.db", "INSERT INTO schema_migrations VALUES (" +
                                         std::to_string(newer) + ", 'from a newer release', 0)");

  ServedProvisio server(kProvisio, data, (dir.path() / "serve.stderr").string(),
                        {{"PROVISIO_ADMIN_PASSWORD", "downgrade-Admin-pw-1"}});
  EXPECT_EQ(server.port(), 0) << "it served a database newer than it knows";
  EXPECT_EQ(server.wait(std::chrono::seconds(30)), 1);
  const std::string expected = "The database schema is at version " + std::to_string(newer) +
                               ", newer than this Provisio knows (" +
                               std::to_string(store::latest_schema_version()) + ")";
  EXPECT_NE(server.stderr_text().find(expected), std::string::npos) << server.stderr_text();

  const auto migrate = run_command(kProvisio, {"migrate", "--data-dir", data}, {}, err);
  EXPECT_EQ(migrate.exit_code, 1);
  EXPECT_NE(migrate.err.find(expected), std::string::npos) << migrate.err;
  // Nothing was written: the newer version is still recorded.
  const auto again = run_command(kProvisio, {"migrate", "--data-dir", data}, {}, err);
  EXPECT_NE(again.err.find(expected), std::string::npos) << again.err;
}

}  // namespace
}  // namespace provisio::testing
