#include "store_fixture.hpp"

namespace provisio::store {

TEST_P(StoreTest, MigrateIsIdempotentAndRecordsTheVersion) {
  auto v1 = store_->schema_version();
  ASSERT_TRUE(v1);
  EXPECT_GE(*v1, 1);
  ASSERT_TRUE(store_->migrate());
  EXPECT_EQ(*store_->schema_version(), *v1);
}

TEST_P(StoreTest, ANewDatabaseHasSchemaVersionZero) {
  std::unique_ptr<Store> other;
  if (GetParam() == "sqlite") {
    auto url = parse_database_url("sqlite:" + dir_ + "/other.db");
    other = std::move(*open_store(*url, box_));
  } else {
    auto url = parse_database_url(
        testing::PostgresCluster::shared()->create_database("fresh" + std::to_string(::getpid())));
    other = std::move(*open_store(*url, box_));
  }
  EXPECT_EQ(*other->schema_version(), 0);
}

TEST_P(StoreTest, RefusesADatabaseFromANewerVersion) {
  // A newer Provisio recorded a migration this binary does not know.
  raw_session()->once << "INSERT INTO schema_migrations (version, name, applied_at) "
                         "VALUES (999, 'from the future', 0)";
  auto migrated = store_->migrate();
  ASSERT_FALSE(migrated);
  EXPECT_EQ(migrated.error().code, ErrorCode::kFailedPrecondition);
  EXPECT_NE(migrated.error().message.find("newer"), std::string::npos);
}

TEST_P(StoreTest, TheDefaultGroupAndBaseRolesExistAfterMigrate) {
  auto g = store_->find_group_by_name("sonar-users");
  ASSERT_TRUE(g);
  EXPECT_TRUE(g->is_default);
  EXPECT_FALSE(g->managed);
  auto roles = store_->role_mappings();
  ASSERT_TRUE(roles);
  ASSERT_EQ(roles->size(), 6u);
  EXPECT_EQ((*roles)[0].role, "owner");
  EXPECT_EQ((*roles)[5].role, "guest");
  const auto defaults = default_role_mappings();
  for (std::size_t i = 0; i < defaults.size(); ++i) {
    EXPECT_EQ((*roles)[i].role, defaults[i].role);
    EXPECT_EQ((*roles)[i].permissions, defaults[i].permissions) << defaults[i].role;
  }
}

}  // namespace provisio::store
