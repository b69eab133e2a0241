// `provisio backup` and `provisio restore` with the built binary: a backup taken while the
// server runs, restored into a fresh data directory, serves the same state; one taken while a
// sync is in the middle of its write transaction holds the state before that sync, whole; and
// every refusal.

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <string>
#include <thread>
#include <vector>

#include "child_process.hpp"
#include "database_dump.hpp"
#include "gitlab_sim_process.hpp"
#include "http_client.hpp"
#include "served_provisio.hpp"
#include "sqlite_file.hpp"
#include "temp_dir.hpp"

namespace provisio::testing {
namespace {

namespace fs = std::filesystem;

const std::string kProvisio = PROVISIO_BINARY;
const std::string kPassword = "backup-Admin-pw-1";

class BackupRestore : public ::testing::Test {
 protected:
  Completed provisio(std::vector<std::string> args) {
    return run_command(kProvisio, args, {}, (dir_.path() / "command.stderr").string());
  }
  std::string path(const std::string& name) const { return (dir_.path() / name).string(); }
  std::string read_bytes(const std::string& name) const { return read_file(path(name)); }

  TempDir dir_;
};

TEST_F(BackupRestore, ABackupTakenWhileServingRestoresIntoAFreshDataDirectoryAndServes) {
  const std::string original = path("original");
  ServedProvisio server(kProvisio, original, path("serve.stderr"),
                        {{"PROVISIO_ADMIN_PASSWORD", kPassword}});
  ASSERT_NE(server.port(), 0) << server.stderr_text();
  ASSERT_EQ(
      provisio({"project", "create", "--key", "web", "--name", "Web shop", "--data-dir", original})
          .exit_code,
      0);

  // Online: the server keeps running while the copy is made.
  const auto backup = provisio({"backup", "--output", path("b.db"), "--data-dir", original});
  ASSERT_EQ(backup.exit_code, 0) << backup.err;
  EXPECT_NE(backup.out.find("schema version"), std::string::npos) << backup.out;
  EXPECT_TRUE(fs::exists(path("b.db.key")));
  EXPECT_EQ(fs::status(path("b.db.key")).permissions() & fs::perms::all,
            fs::perms::owner_read | fs::perms::owner_write);
  EXPECT_FALSE(fs::exists(path("b.db.partial")));
  const auto before = provisio({"export", "--data-dir", original});
  ASSERT_EQ(before.exit_code, 0) << before.err;
  EXPECT_EQ(server.terminate(), 0);

  // A second backup to the same file is refused rather than overwriting it.
  const auto again = provisio({"backup", "--output", path("b.db"), "--data-dir", original});
  EXPECT_EQ(again.exit_code, 1);
  EXPECT_NE(again.err.find("already exists"), std::string::npos) << again.err;

  const std::string fresh = path("fresh");
  const auto restore = provisio({"restore", "--input", path("b.db"), "--data-dir", fresh});
  ASSERT_EQ(restore.exit_code, 0) << restore.err;
  EXPECT_EQ(read_bytes("fresh/secret.key"), read_bytes("original/secret.key"));
  EXPECT_EQ(fs::status(fresh).permissions() & fs::perms::all, fs::perms::owner_all);

  // Started from the restored directory: same state, and the administrator's password works.
  ServedProvisio restored(kProvisio, fresh, path("restored.stderr"), {});
  ASSERT_NE(restored.port(), 0) << restored.stderr_text();
  const auto me = HttpClient(restored.port())
                      .request("GET", "/api/users/current", "",
                               {{"Authorization", "Basic YWRtaW46YmFja3VwLUFkbWluLXB3LTE="}});
  EXPECT_EQ(me.status, 200) << me.body;
  EXPECT_EQ(nlohmann::json::parse(me.body).at("login"), "admin");
  EXPECT_EQ(restored.terminate(), 0);
  const auto after = provisio({"export", "--data-dir", fresh});
  ASSERT_EQ(after.exit_code, 0) << after.err;
  EXPECT_EQ(nlohmann::json::parse(after.out), nlohmann::json::parse(before.out));
  EXPECT_NE(after.out.find("\"web\""), std::string::npos) << after.out;

  // Restoring over an existing database is refused, and leaves it alone.
  const auto over = provisio({"restore", "--input", path("b.db"), "--data-dir", fresh});
  EXPECT_EQ(over.exit_code, 1);
  EXPECT_NE(over.err.find("there is already a database at"), std::string::npos) << over.err;
}

// The state of a SQLite data directory: every row, the task records aside when asked.
DatabaseDump dump_of(const std::string& data_dir, const std::set<std::string>& skip = {}) {
  return dump_database("sqlite:" + data_dir + "/provisio.db", skip);
}

TEST_F(BackupRestore, ABackupTakenWhileASyncWritesHoldsTheStateBeforeItWholeAndRestores) {
  fs::create_directories(path("sim"));
  GitlabSimProcess sim(GITLAB_SIM_BINARY, path("sim"));
  const std::string original = path("original");
  const auto configured =
      provisio({"gitlab", "configure", "--url", sim.url(), "--secret", "s", "--application-id",
                "sim-client-id", "--mode", "auto", "--token", "sim-admin-token", "--allowed-groups",
                "acme,umbrella", "--data-dir", original});
  ASSERT_EQ(configured.exit_code, 0) << configured.err;
  const DatabaseDump before = dump_of(original, {"tasks"});

  // The first sync of world S stops itself inside its write transaction, at its 500th row
  // (a test-only failpoint), holding SQLite's write lock, until the test lets it go on.
  ChildProcess sync(kProvisio, {"sync", "--data-dir", original},
                    {{"PROVISIO_TEST_STOP_AT_ROW", "500"}}, path("sync.stderr"));
  const std::string stopped =
      "PROVISIO_TEST_STOP_AT_ROW: stopping this process at row 500 of an apply, inside its "
      "transaction";
  for (int i = 0; i < 6000 && read_file(path("sync.stderr")).find(stopped) == std::string::npos;
       ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  ASSERT_NE(read_file(path("sync.stderr")).find(stopped), std::string::npos)
      << read_file(path("sync.stderr"));

  const auto during = provisio({"backup", "--output", path("during.db"), "--data-dir", original});
  ASSERT_EQ(during.exit_code, 0) << during.err;
  sync.send_signal(SIGCONT);
  ASSERT_EQ(sync.wait(std::chrono::minutes(3)), 0) << read_file(path("sync.stderr"));
  const auto after = provisio({"backup", "--output", path("after.db"), "--data-dir", original});
  ASSERT_EQ(after.exit_code, 0) << after.err;

  // Restored, the copy taken during the write holds exactly the state before the sync (its task
  // records show the run in progress); the copy taken after holds all of what the sync wrote.
  ASSERT_EQ(provisio({"restore", "--input", path("during.db"), "--data-dir", path("d1")}).exit_code,
            0);
  EXPECT_EQ(describe_difference(before, dump_of(path("d1"), {"tasks"})), "");
  ASSERT_EQ(provisio({"restore", "--input", path("after.db"), "--data-dir", path("d2")}).exit_code,
            0);
  const DatabaseDump synced = dump_of(original);
  EXPECT_EQ(describe_difference(synced, dump_of(path("d2"))), "");
  EXPECT_GT(row_count(synced), row_count(before) + 1'000);
}

TEST_F(BackupRestore, RefusesAFileThatIsNotAProvisioDatabase) {
  std::ofstream(path("notes.txt")) << "not a database at all, just some text that is long enough";
  auto text = provisio({"restore", "--input", path("notes.txt"), "--data-dir", path("d1")});
  EXPECT_EQ(text.exit_code, 1);
  EXPECT_NE(text.err.find("is not a SQLite database"), std::string::npos) << text.err;

  sqlite_exec(path("other.db"), "CREATE TABLE t (x INTEGER)");
  auto other = provisio({"restore", "--input", path("other.db"), "--data-dir", path("d2")});
  EXPECT_EQ(other.exit_code, 1);
  EXPECT_NE(other.err.find("not a Provisio database"), std::string::npos) << other.err;

  auto missing = provisio({"restore", "--input", path("nothing.db"), "--data-dir", path("d3")});
  EXPECT_EQ(missing.exit_code, 1);
  EXPECT_NE(missing.err.find("is not a file"), std::string::npos) << missing.err;
  for (const char* d : {"d1", "d2", "d3"}) EXPECT_FALSE(fs::exists(path(d) + "/provisio.db"));
}

TEST_F(BackupRestore, RefusesABackupMadeByANewerVersion) {
  ASSERT_EQ(provisio({"migrate", "--data-dir", path("new")}).exit_code, 0);
  sqlite_exec(path("new/provisio.db"),
              "INSERT INTO schema_migrations VALUES (9999, 'from the future', 0)");
  ASSERT_EQ(provisio({"backup", "--output", path("new.db"), "--data-dir", path("new")}).exit_code,
            0);
  const auto restore = provisio({"restore", "--input", path("new.db"), "--data-dir", path("old")});
  EXPECT_EQ(restore.exit_code, 1);
  EXPECT_NE(restore.err.find("made by a newer Provisio"), std::string::npos) << restore.err;
}

TEST_F(BackupRestore, PointsToPgDumpForPostgresql) {
  // Nothing is contacted: the message comes before any connection.
  const std::string db = "postgresql://provisio:hunter2@127.0.0.1:1/provisio";
  const auto backup = provisio({"backup", "--output", path("x"), "--db", db});
  EXPECT_EQ(backup.exit_code, 1);
  EXPECT_NE(backup.err.find("pg_dump"), std::string::npos) << backup.err;
  EXPECT_EQ(backup.err.find("hunter2"), std::string::npos) << "the password reached a message";
  const auto restore = provisio({"restore", "--input", path("x"), "--db", db});
  EXPECT_EQ(restore.exit_code, 1);
  EXPECT_NE(restore.err.find("pg_restore"), std::string::npos) << restore.err;
}

}  // namespace
}  // namespace provisio::testing
