// The plan before it is applied, with the built binaries over loopback (gitlab-sim, world S):
// `provisio sync --dry-run` (text and --json) writes nothing at all and lists exactly the changes
// the next sync then makes (its audit rows); the plan preview of the real server
// (GET /api/v2/provisioning/plan, computed in the background) shows the same list; a plan the
// guard held back is applied by `provisio sync --confirm`, and refused, changing nothing, once
// another run has overtaken it (by the command line and by the API).

#include <gtest/gtest.h>

#include <boost/beast/core/detail/base64.hpp>
#include <filesystem>
#include <map>
#include <nlohmann/json.hpp>
#include <set>
#include <thread>
#include <tuple>

#include "database_dump.hpp"
#include "gitlab_sim_process.hpp"
#include "served_provisio.hpp"
#include "store/secret_box.hpp"
#include "store/store.hpp"
#include "temp_dir.hpp"

namespace provisio::testing {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;

constexpr const char* kAdminPassword = "plan-commands-admin-1";

// A change as every list shows it: action, entity, before, after, cause.
using Change = std::tuple<std::string, std::string, json, json, json>;

Change change_of(const json& c) {
  return {c.at("action"), c.at("entity"), c.at("before"), c.at("after"), c.at("cause")};
}

json text_or_null(const std::optional<std::string>& s) { return s ? json(*s) : json(nullptr); }

// The administrator's Basic credentials.
std::string basic_auth() {
  const std::string credentials = std::string("admin:") + kAdminPassword;
  std::string out(boost::beast::detail::base64::encoded_size(credentials.size()), '\0');
  out.resize(
      boost::beast::detail::base64::encode(out.data(), credentials.data(), credentials.size()));
  return "Basic " + out;
}

class PlanCommandsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    fs::create_directories(dir_.path() / "sim");
    sim_ = std::make_unique<GitlabSimProcess>(GITLAB_SIM_BINARY, (dir_.path() / "sim").string());
    data_ = (dir_.path() / "data").string();
    // Two bound projects of acme, then automatic provisioning (which queues the first sync).
    int n = 0;
    for (const json& p :
         sim_->all("/api/v4/groups/acme/projects", "include_subgroups=true&with_shared=false")) {
      if (n == 2) break;
      const std::string key = "p" + std::to_string(n++);
      ASSERT_EQ(cli({"project", "create", "--key", key, "--name", key}).exit_code, 0);
      ASSERT_EQ(cli({"project", "bind", "--key", key, "--gitlab-project-id",
                     std::to_string(p["id"].get<std::int64_t>())})
                    .exit_code,
                0);
      bound_.push_back(p["id"]);
    }
    configure("acme,umbrella");
  }

  Completed cli(std::vector<std::string> args) {
    args.insert(args.end(), {"--data-dir", data_});
    return run_command(PROVISIO_BINARY, args, {{"PROVISIO_ADMIN_PASSWORD", kAdminPassword}},
                       (dir_.path() / "cli.err").string(), std::chrono::minutes(4));
  }

  // Automatic provisioning of the allowed groups, "a,b".
  void configure(const std::string& groups) {
    const auto r = cli({"gitlab", "configure", "--url", sim_->url(), "--secret", "s",
                        "--application-id", "sim-client-id", "--mode", "auto", "--token",
                        "sim-admin-token", "--allowed-groups", groups});
    ASSERT_EQ(r.exit_code, 0) << r.err;
  }

  // `provisio sync --json` (and its other flags): the exit code and the answer.
  std::pair<int, json> sync(std::vector<std::string> flags = {}) {
    flags.insert(flags.begin(), {"sync", "--json"});
    const Completed r = cli(flags);
    EXPECT_FALSE(r.out.empty()) << r.err;
    return {r.exit_code, json::parse(r.out, nullptr, false)};
  }

  // Every row: a dry run writes nothing at all, not even a task record.
  DatabaseDump dump(const std::set<std::string>& skip = {}) const {
    return dump_database("sqlite:" + data_ + "/provisio.db", skip);
  }

  std::unique_ptr<store::Store> open() {
    auto box = store::SecretBox::open_key_file(data_ + "/secret.key");
    EXPECT_TRUE(box) << box.error().message;
    auto s =
        store::open_store(*store::parse_database_url("sqlite:" + data_ + "/provisio.db"), *box, 1);
    EXPECT_TRUE(s) << s.error().message;
    return std::move(*s);
  }

  // The audit rows a task wrote, as changes.
  std::multiset<Change> audited_by(std::int64_t task) {
    auto store = open();
    std::multiset<Change> out;
    store::AuditQuery q;
    q.task_id = task;
    q.page_size = 500;
    for (q.page_index = 1;; ++q.page_index) {
      auto page = store->list_audit(q);
      EXPECT_TRUE(page);
      for (const AuditEntry& a : page->items) {
        out.insert({a.action, a.entity, text_or_null(a.before), text_or_null(a.after),
                    text_or_null(a.cause)});
      }
      if (page->items.size() < 500) break;
    }
    return out;
  }

  // Changes in GitLab after a first sync, each sure to change rows here: a user of umbrella only
  // joins acme as Maintainer (memberships and permissions granted), a provisioned holder of a
  // permission on a bound project is blocked (deactivated: memberships removed, permissions
  // revoked), a subgroup is renamed, and a bound project's visibility flips.
  void change_gitlab() {
    std::set<std::int64_t> in_acme;
    for (const json& m : sim_->all("/api/v4/groups/acme/members/all")) {
      in_acme.insert(m["id"].get<std::int64_t>());
    }
    std::int64_t joiner = 0;
    for (const json& m : sim_->all("/api/v4/groups/umbrella/members/all")) {
      if (m["state"] == "active" && m["access_level"].get<int>() >= 10 &&
          in_acme.count(m["id"].get<std::int64_t>()) == 0) {
        joiner = m["id"];
        break;
      }
    }
    ASSERT_NE(joiner, 0);
    sim_->control("members",
                  {{"source", "group"}, {"id", "acme"}, {"user_id", joiner}, {"access_level", 40}});

    auto store = open();
    auto state = store->load_state();
    ASSERT_TRUE(state);
    std::map<ProjectId, bool> bound;
    for (const Project& p : state->projects) bound[p.id] = p.gitlab_project_id.has_value();
    std::map<UserId, std::set<std::string>> held;
    for (const PermissionGrant& g : state->permissions) {
      if (g.project_id && g.user_id && bound[*g.project_id]) held[*g.user_id].insert(g.permission);
    }
    std::optional<std::string> blocked;
    for (const User& u : state->users) {
      if (u.managed && u.active && held.count(u.id) != 0 && held[u.id].count("admin") == 0) {
        blocked = u.external_id;
        break;
      }
    }
    ASSERT_TRUE(blocked);
    sim_->control("users/block", {{"user_id", std::stoll(*blocked)}});

    const json group = sim_->all("/api/v4/groups/acme/descendant_groups").at(0);
    sim_->control("groups/rename",
                  {{"id", group["id"]}, {"path", "renamed-team"}, {"name", "Renamed"}});
    const json project = sim_->get("/api/v4/projects/" + std::to_string(bound_[1]));
    sim_->control("visibility",
                  {{"source", "project"},
                   {"id", bound_[1]},
                   {"visibility", project["visibility"] == "public" ? "private" : "public"}});
  }

  TempDir dir_;
  std::unique_ptr<GitlabSimProcess> sim_;
  std::string data_;
  std::vector<std::int64_t> bound_;
};

TEST_F(PlanCommandsTest, ADryRunWritesNothingAndListsExactlyWhatTheNextSyncDoes) {
  ASSERT_EQ(sync().first, 0);
  change_gitlab();
  const DatabaseDump before = dump();

  const Completed text = cli({"sync", "--dry-run"});
  ASSERT_EQ(text.exit_code, 0) << text.err;
  EXPECT_EQ(text.out.rfind("Dry run: nothing was changed.\n", 0), 0u) << text.out;
  const Completed as_json = cli({"sync", "--dry-run", "--json"});
  ASSERT_EQ(as_json.exit_code, 0) << as_json.err;
  EXPECT_EQ(describe_difference(before, dump()), "");  // not a row, not a task record

  const json plan = json::parse(as_json.out);
  EXPECT_EQ(plan.at("held"), false);
  std::multiset<Change> planned;
  for (const json& c : plan.at("changes")) {
    planned.insert(change_of(c));
    // The text lists the same changes, one a line.
    EXPECT_NE(text.out.find("  " + c.at("action").get<std::string>() + " " +
                            c.at("entity").get<std::string>()),
              std::string::npos)
        << c.dump();
  }
  std::set<std::string> actions;
  for (const auto& c : planned) actions.insert(std::get<0>(c));
  EXPECT_EQ(actions, (std::set<std::string>{"group.rename", "membership.add", "membership.remove",
                                            "permission.grant", "permission.revoke",
                                            "project.visibility", "user.deactivate"}));

  const auto [code, ran] = sync();
  ASSERT_EQ(code, 0) << ran.dump();
  json counts = ran.at("summary");
  json expected = plan.at("summary");
  for (json* j : {&counts, &expected}) {
    j->erase("gitlabRequests");
    j->erase("durationMs");
  }
  EXPECT_EQ(counts, expected);
  EXPECT_EQ(audited_by(ran.at("taskId")), planned);
}

TEST_F(PlanCommandsTest, ThePlanPreviewOfTheServerListsWhatTheDryRunLists) {
  ASSERT_EQ(sync().first, 0);
  change_gitlab();
  const Completed dry = cli({"sync", "--dry-run", "--json"});
  ASSERT_EQ(dry.exit_code, 0) << dry.err;
  const json plan = json::parse(dry.out);

  ServedProvisio server(PROVISIO_BINARY, data_, (dir_.path() / "serve.err").string(),
                        {{"PROVISIO_ADMIN_PASSWORD", kAdminPassword}});
  ASSERT_NE(server.port(), 0) << server.stderr_text();
  const auto get = [&] {
    return HttpClient(server.port())
        .request("GET", "/api/v2/provisioning/plan?pageSize=500", "",
                 {{"Authorization", basic_auth()}});
  };
  const ClientResponse first = get();
  ASSERT_EQ(first.status, 202) << first.body;
  EXPECT_EQ(json::parse(first.body).at("status"), "COMPUTING");
  json preview;
  for (int i = 0; i < 2400; ++i) {  // the dry run reads all of GitLab
    const ClientResponse r = get();
    ASSERT_TRUE(r.status == 200 || r.status == 202) << r.status << " " << r.body;
    if (r.status == 200) {
      preview = json::parse(r.body);
      break;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  ASSERT_EQ(preview.value("status", ""), "READY") << preview.dump();
  json counts = preview.at("counts");
  json expected = plan.at("summary");
  for (json* j : {&counts, &expected}) {
    j->erase("gitlabRequests");
    j->erase("durationMs");
  }
  EXPECT_EQ(counts, expected);
  ASSERT_EQ(preview.at("page").at("total"), plan.at("changes").size());
  std::vector<Change> listed, dry_listed;
  for (const json& c : preview.at("changes")) listed.push_back(change_of(c));
  for (const json& c : plan.at("changes")) dry_listed.push_back(change_of(c));
  EXPECT_EQ(listed, dry_listed);  // the same changes, in the same order
  EXPECT_EQ(server.terminate(), 0);
}

TEST_F(PlanCommandsTest, AHeldPlanIsAppliedByConfirmAndRefusedOnceOvertaken) {
  ASSERT_EQ(sync().first, 0);
  configure("umbrella");  // most users are only in acme: a mass deactivation
  const DatabaseDump before = dump({"tasks", "held_plans"});
  const auto [held_code, held] = sync();
  EXPECT_NE(held_code, 0);
  EXPECT_EQ(held.at("status"), "FAILED");
  EXPECT_EQ(held.at("held"), true);
  EXPECT_GT(held.at("summary").at("usersDeactivated").get<int>(), 10);
  EXPECT_EQ(describe_difference(before, dump({"tasks", "held_plans"})), "");
  const Completed told = cli({"sync"});  // held again, as text: it says how to apply it
  EXPECT_NE(told.exit_code, 0);
  const std::int64_t newest = json::parse(cli({"status", "--json"}).out).at("lastRun").at("taskId");
  EXPECT_NE(told.out.find("apply it with: provisio sync --confirm " + std::to_string(newest)),
            std::string::npos)
      << told.out;

  // The first held plan was overtaken by the second, which the guard held back too.
  const Completed older = cli({"sync", "--confirm", std::to_string(held.at("taskId").get<int>())});
  EXPECT_NE(older.exit_code, 0);
  EXPECT_NE(
      older.err.find("is out of date: task " + std::to_string(newest) + " computed a newer plan"),
      std::string::npos)
      << older.err;
  EXPECT_EQ(describe_difference(before, dump({"tasks", "held_plans"})), "");

  const auto [code, confirmed] = sync({"--confirm", std::to_string(newest)});
  ASSERT_EQ(code, 0) << confirmed.dump();
  EXPECT_EQ(confirmed.at("status"), "SUCCESS");
  EXPECT_EQ(confirmed.at("summary").at("usersDeactivated"),
            held.at("summary").at("usersDeactivated"));

  // Held once more, then GitLab is put right and a sync succeeds: that plan is out of date, for
  // the command line and for the API alike, and nothing is written.
  configure("acme,umbrella");
  ASSERT_EQ(sync().first, 0);  // everyone back
  configure("umbrella");
  const auto [stale_code, stale] = sync();
  ASSERT_EQ(stale.at("held"), true) << stale.dump();
  configure("acme,umbrella");
  const auto [ok_code, ok] = sync();
  ASSERT_EQ(ok_code, 0) << ok.dump();
  const DatabaseDump settled = dump();
  const std::string stale_id = std::to_string(stale.at("taskId").get<int>());
  const std::string why = "The plan held back by task " + stale_id + " is out of date: task " +
                          std::to_string(ok.at("taskId").get<int>()) + " has synchronized since.";
  const Completed refused = cli({"sync", "--confirm", stale_id});
  EXPECT_NE(refused.exit_code, 0);
  EXPECT_NE(refused.err.find(why), std::string::npos) << refused.err;
  EXPECT_EQ(describe_difference(settled, dump()), "");

  ServedProvisio server(PROVISIO_BINARY, data_, (dir_.path() / "serve.err").string(),
                        {{"PROVISIO_ADMIN_PASSWORD", kAdminPassword}});
  ASSERT_NE(server.port(), 0) << server.stderr_text();
  const DatabaseDump served = dump();  // with the administrator its first start made
  const ClientResponse answer =
      HttpClient(server.port())
          .request("POST", "/api/v2/provisioning/plan/" + stale_id + "/confirm", "",
                   {{"Authorization", basic_auth()}});
  EXPECT_EQ(answer.status, 400) << answer.body;
  EXPECT_NE(json::parse(answer.body).value("message", "").find(why), std::string::npos)
      << answer.body;
  EXPECT_EQ(server.terminate(), 0);
  EXPECT_EQ(describe_difference(served, dump()), "");
  (void)stale_code;
}

}  // namespace
}  // namespace provisio::testing
