#pragma once
// The Store conformance fixture: every test runs once on SQLite (a real file) and once on a
// real PostgreSQL server (a fresh database in the shared throwaway cluster).

#include <gtest/gtest.h>
#include <soci/postgresql/soci-postgresql.h>
#include <soci/soci.h>
#include <soci/sqlite3/soci-sqlite3.h>

#include <atomic>
#include <filesystem>
#include <memory>
#include <string>

#include "postgres_cluster.hpp"
#include "store/store.hpp"

namespace provisio::store {

class StoreTest : public ::testing::TestWithParam<std::string> {
 protected:
  void SetUp() override {
    box_ = std::make_shared<SecretBox>(SecretBox::Key{1, 2, 3});
    if (GetParam() == "sqlite") {
      dir_ = testing::make_temp_dir("provisio-store-");
      url_ = "sqlite:" + dir_ + "/provisio.db";
    } else {
      if (testing::PostgresCluster::disabled()) {
        GTEST_SKIP() << "PostgreSQL tests turned off by PROVISIO_TEST_PG=0";
      }
      static std::atomic<int> counter{0};
      const std::string name = "t" + std::to_string(::getpid()) + "_" + std::to_string(counter++);
      url_ = testing::PostgresCluster::shared()->create_database(name);
      pg_conninfo_ = testing::PostgresCluster::shared()->conninfo(name);
    }
    store_ = open();
    ASSERT_TRUE(store_->migrate()) << "migrate failed";
  }

  void TearDown() override {
    store_.reset();
    if (!dir_.empty()) std::filesystem::remove_all(dir_);
  }

  // Another Store on the same database: another node, as far as the store can tell.
  std::unique_ptr<Store> open(int connections = 4) {
    auto url = parse_database_url(url_);
    EXPECT_TRUE(url);
    auto s = open_store(*url, box_, connections);
    EXPECT_TRUE(s) << (s ? "" : s.error().message);
    return std::move(*s);
  }

  // A plain SOCI session on the same database, to look under the Store's interface.
  std::unique_ptr<soci::session> raw_session() {
    if (GetParam() == "sqlite") {
      return std::make_unique<soci::session>(*soci::factory_sqlite3(),
                                             "db=" + dir_ + "/provisio.db timeout=10");
    }
    return std::make_unique<soci::session>(*soci::factory_postgresql(), pg_conninfo_);
  }

  User make_user(const std::string& login, bool managed = false) {
    User u;
    u.login = login;
    u.name = "Name of " + login;
    u.email = login + "@example.com";
    u.managed = managed;
    if (managed) {
      u.external_provider = ExternalProvider::kGitlab;
      u.external_id = std::to_string(std::hash<std::string>{}(login) % 1000000);
      u.external_login = login;
    } else {
      u.local = true;
    }
    return u;
  }

  std::shared_ptr<SecretBox> box_;
  std::string dir_;
  std::string url_;
  std::string pg_conninfo_;
  std::unique_ptr<Store> store_;
};

inline std::string backend_name(const ::testing::TestParamInfo<std::string>& info) {
  return info.param;
}

}  // namespace provisio::store
