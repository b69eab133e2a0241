// Upgrading and downgrading with the built binary: a database left by any earlier schema version
// (built here by applying the migrations up to that version, as that release left it), on SQLite
// and on PostgreSQL, keeps its data when the current binary starts on it; a database newer than
// the binary is refused with a clear message.

#include <gtest/gtest.h>
#include <soci/postgresql/soci-postgresql.h>
#include <soci/soci.h>
#include <soci/sqlite3/soci-sqlite3.h>

#include <filesystem>
#include <nlohmann/json.hpp>
#include <string>
#include <tuple>
#include <vector>

#include "child_process.hpp"
#include "database_dump.hpp"
#include "postgres_cluster.hpp"
#include "served_provisio.hpp"
#include "store/migrations.hpp"
#include "store/store.hpp"
#include "temp_dir.hpp"

namespace provisio::testing {
namespace {

const std::string kProvisio = PROVISIO_BINARY;

// Every earlier schema version, on each database.
std::vector<std::tuple<std::string, int>> earlier_versions() {
  std::vector<std::tuple<std::string, int>> out;
  for (const char* backend : {"sqlite", "postgresql"}) {
    for (const store::Migration& m : store::migrations()) {
      if (m.version < store::latest_schema_version()) out.emplace_back(backend, m.version);
    }
  }
  return out;
}

class SchemaUpgrade : public ::testing::TestWithParam<std::tuple<std::string, int>> {
 protected:
  void SetUp() override {
    data_ = (dir_.path() / "data").string();
    std::filesystem::create_directories(data_);
    if (backend() == "sqlite") {
      session_ = std::make_unique<soci::session>(*soci::factory_sqlite3(),
                                                 "db=" + data_ + "/provisio.db timeout=10");
      return;
    }
    if (PostgresCluster::disabled()) GTEST_SKIP() << "PROVISIO_TEST_PG=0";
    static int n = 0;
    const std::string name = "upgrade" + std::to_string(::getpid()) + "_" + std::to_string(n++);
    db_args_ = {"--db", PostgresCluster::shared()->create_database(name)};
    session_ = std::make_unique<soci::session>(*soci::factory_postgresql(),
                                               PostgresCluster::shared()->conninfo(name));
  }

  const std::string& backend() const { return std::get<0>(GetParam()); }
  int version() const { return std::get<1>(GetParam()); }

  void exec(const std::string& sql) { *session_ << sql; }

  // The schema as the release at version() left it: the migrations up to it, and their record.
  void create_schema() {
    const auto dialect =
        backend() == "sqlite" ? store::sql::Dialect::kSqlite : store::sql::Dialect::kPostgresql;
    exec(store::render(
        "CREATE TABLE schema_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL, "
        "applied_at {bigint} NOT NULL)",
        dialect));
    for (const store::Migration& m : store::migrations()) {
      if (m.version > version()) break;
      for (const std::string& statement : m.statements) exec(store::render(statement, dialect));
      exec("INSERT INTO schema_migrations VALUES (" + std::to_string(m.version) +
           ", 'earlier', 1700000000000)");
    }
  }

  // Runs a command of the built binary on this database.
  Completed command(std::vector<std::string> args) {
    args.insert(args.end(), {"--data-dir", data_});
    args.insert(args.end(), db_args_.begin(), db_args_.end());
    return run_command(kProvisio, args, {}, (dir_.path() / "command.stderr").string());
  }

  TempDir dir_;
  std::string data_;
  std::vector<std::string> db_args_;
  std::unique_ptr<soci::session> session_;
};

INSTANTIATE_TEST_SUITE_P(EveryEarlierVersion, SchemaUpgrade,
                         ::testing::ValuesIn(earlier_versions()), [](const auto& info) {
                           return std::get<0>(info.param) + "_from_" +
                                  std::to_string(std::get<1>(info.param));
                         });

TEST_P(SchemaUpgrade, DataOfAnEarlierSchemaVersionSurvivesTheUpgrade) {
  create_schema();
  // A provisioned user in a mirrored group, with a permission on a bound project, and the
  // record of a finished sync: tables every version has.
  for (const std::string& statement : {
           std::string(R"(INSERT INTO users (uuid, login, name, email, active, is_local, managed,
                 external_provider, external_id, external_login, created_at, updated_at)
               VALUES ('u-1', 'alice-123', 'Alice', 'alice@example.com', 1, 0, 1, 'gitlab', '42',
                       'alice', 1700000000000, 1700000000000))"),
           std::string(R"(INSERT INTO user_groups (uuid, name, description, managed, is_default,
                 external_id) VALUES ('g-1', 'acme/dev', 'GitLab group acme/dev', 1, 0, '7'))"),
           std::string(R"(INSERT INTO group_members SELECT g.id, u.id FROM user_groups g, users u
               WHERE u.login = 'alice-123')"),
           std::string(R"(INSERT INTO projects (uuid, project_key, name, visibility,
                 gitlab_project_id, created_at)
               VALUES ('p-1', 'web', 'Web shop', 'private', 100, 1700000000000))"),
           std::string(R"(INSERT INTO permissions (project_id, user_id, permission)
               SELECT p.id, u.id, 'codeviewer' FROM projects p, users u
               WHERE u.login = 'alice-123')"),
           std::string(R"(INSERT INTO tasks (uuid, task_type, status, submitter, submitted_at,
                 started_at, finished_at, node_id, info_messages, warnings, counts, held)
               VALUES ('t-1', 'GITLAB_AUTH_PROVISIONING', 'SUCCESS', 'scheduler', 1700000000000,
                       1700000001000, 1700000002000, 'old-host:12', '["1 user created"]', '[]',
                       '{"usersCreated":1}', 0))"),
       }) {
    exec(statement);
  }
  session_.reset();

  {
    ServedProvisio server(kProvisio, data_, (dir_.path() / "serve.stderr").string(),
                          {{"PROVISIO_ADMIN_PASSWORD", "upgrade-Admin-pw-1"}}, db_args_);
    ASSERT_NE(server.port(), 0) << server.stderr_text();
    EXPECT_EQ(server.terminate(), 0);
  }
  const auto migrate = command({"migrate"});
  EXPECT_EQ(migrate.out, "Schema version " + std::to_string(store::latest_schema_version()) + "\n")
      << migrate.err;

  const auto exported = command({"export"});
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

  // The run history too.
  const auto status = command({"status", "--json"});
  ASSERT_EQ(status.exit_code, 0) << status.err;
  const auto last = nlohmann::json::parse(status.out).at("lastRun");
  EXPECT_EQ(last.value("status", ""), "SUCCESS") << status.out;
  EXPECT_EQ(last.value("finishedAt", 0LL), 1700000002000LL) << status.out;
  EXPECT_EQ(last.at("summary").value("usersCreated", -1), 1) << status.out;
}

TEST(SchemaDowngrade, AServerOlderThanItsDatabaseRefusesToStart) {
  TempDir dir;
  const std::string data = (dir.path() / "data").string();
  const std::string err = (dir.path() / "command.stderr").string();
  ASSERT_EQ(run_command(kProvisio, {"migrate", "--data-dir", data}, {}, err).exit_code, 0);
  const int newer = store::latest_schema_version() + 1;
  soci::session(*soci::factory_sqlite3(), "db=" + data + "/provisio.db")
      << "INSERT INTO schema_migrations VALUES (" + std::to_string(newer) +
             ", 'from a newer release', 0)";
  const std::string url = "sqlite:" + data + "/provisio.db";
  const DatabaseDump before = dump_database(url);

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
  // Nothing was written, by the server or by migrate: the database is as the newer release left it.
  EXPECT_EQ(describe_difference(before, dump_database(url)), "");
}

}  // namespace
}  // namespace provisio::testing
