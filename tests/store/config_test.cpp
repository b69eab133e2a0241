#include "store_fixture.hpp"

namespace provisio::store {

TEST_P(StoreTest, TheGitlabConfigurationRoundTripsWithSecretsSealed) {
  EXPECT_FALSE(*store_->load_gitlab_config());
  GitlabConfig c;
  c.enabled = true;
  c.application_id = "app-id";
  c.url = "https://gitlab.example.com";
  c.secret = "oauth-secret-value";
  c.provisioning_type = ProvisioningType::kAutoProvisioning;
  c.provisioning_token = "glpat-token-value";
  c.allowed_groups = {"zeta", "alpha"};
  c.synchronize_groups = true;
  ASSERT_TRUE(store_->save_gitlab_config(c));
  auto back = store_->load_gitlab_config();
  ASSERT_TRUE(back && *back) << (back ? "" : back.error().message);
  EXPECT_EQ((*back)->secret, "oauth-secret-value");
  EXPECT_EQ((*back)->provisioning_token, "glpat-token-value");
  EXPECT_FALSE((*back)->webhook_secret);
  // In the order typed: the page lists them as the administrator entered them.
  EXPECT_EQ((*back)->allowed_groups, (std::vector<std::string>{"zeta", "alpha"}));
  EXPECT_EQ((*back)->provisioning_type, ProvisioningType::kAutoProvisioning);

  // At rest the secrets are ciphertext.
  std::string secret, token;
  *raw_session() << "SELECT secret_sealed, token_sealed FROM gitlab_config", soci::into(secret),
      soci::into(token);
  EXPECT_EQ(secret.find("oauth-secret-value"), std::string::npos);
  EXPECT_EQ(token.find("glpat"), std::string::npos);
  EXPECT_EQ(secret.rfind("v2:", 0), 0u) << "bound to the URL";

  c.enabled = false;  // saving again replaces the single configuration
  ASSERT_TRUE(store_->save_gitlab_config(c));
  EXPECT_FALSE((*store_->load_gitlab_config())->enabled);
  ASSERT_TRUE(store_->delete_gitlab_config());
  EXPECT_FALSE(*store_->load_gitlab_config());
}

TEST_P(StoreTest, AnotherKeyCannotReadTheSecrets) {
  GitlabConfig c;
  c.secret = "s";
  ASSERT_TRUE(store_->save_gitlab_config(c));
  auto url = parse_database_url(url_);
  auto other = open_store(*url, std::make_shared<SecretBox>(SecretBox::Key{9}));
  auto read = (*other)->load_gitlab_config();
  ASSERT_TRUE(read && *read) << (read ? "" : read.error().message);
  EXPECT_FALSE((*read)->secret) << "unreadable, so unset: never sent anywhere";
  EXPECT_TRUE((*read)->secrets_unreadable);
  EXPECT_FALSE((*store_->load_gitlab_config())->secrets_unreadable);
}

TEST_P(StoreTest, SecretsAreBoundToTheUrlTheyWereGivenFor) {
  GitlabConfig c;
  c.url = "https://gitlab.example.com";
  c.secret = "oauth-secret";
  c.provisioning_token = "token";
  c.webhook_secret = "hook";
  ASSERT_TRUE(store_->save_gitlab_config(c));
  // Someone with write access to the database points the configuration at another host.
  *raw_session() << "UPDATE gitlab_config SET url = 'https://attacker.example'";
  auto read = store_->load_gitlab_config();
  ASSERT_TRUE(read && *read) << (read ? "" : read.error().message);
  EXPECT_EQ((*read)->url, "https://attacker.example");
  EXPECT_FALSE((*read)->secret);
  EXPECT_FALSE((*read)->provisioning_token);
  EXPECT_FALSE((*read)->webhook_secret);
  EXPECT_TRUE((*read)->secrets_unreadable);
  // Back to the URL they were given for, they open again.
  *raw_session() << "UPDATE gitlab_config SET url = 'https://gitlab.example.com'";
  EXPECT_EQ((*store_->load_gitlab_config())->provisioning_token, "token");
}

TEST_P(StoreTest, SecretsSealedBeforeTheyWereBoundAreBoundAtMigration) {
  GitlabConfig c;
  c.url = "https://gitlab.example.com";
  ASSERT_TRUE(store_->save_gitlab_config(c));
  const std::string legacy = box_->seal("legacy-token");  // v1, as an older Provisio wrote it
  *raw_session() << "UPDATE gitlab_config SET token_sealed = :t", soci::use(legacy);
  EXPECT_EQ((*store_->load_gitlab_config())->provisioning_token, "legacy-token");
  ASSERT_TRUE(store_->migrate());
  std::string token;
  *raw_session() << "SELECT token_sealed FROM gitlab_config", soci::into(token);
  EXPECT_EQ(token.rfind("v2:", 0), 0u);
  EXPECT_EQ((*store_->load_gitlab_config())->provisioning_token, "legacy-token");
  *raw_session() << "UPDATE gitlab_config SET url = 'https://attacker.example'";
  EXPECT_FALSE((*store_->load_gitlab_config())->provisioning_token);
}

TEST_P(StoreTest, CustomRolesAreAddedChangedAndDeletedButBaseRolesStay) {
  RoleMapping custom{"Security Lead", {true, true, false, true, false, false}};
  ASSERT_TRUE(store_->save_role_mapping(custom));
  auto roles = store_->role_mappings();
  ASSERT_EQ(roles->size(), 7u);
  EXPECT_EQ(roles->back().role, "Security Lead");
  EXPECT_EQ(roles->back().permissions, custom.permissions);

  RoleMapping empty{"Security Lead", {}};
  EXPECT_EQ(store_->save_role_mapping(empty).error().code, ErrorCode::kInvalidArgument);

  RoleMapping guest{"guest", {}};  // a base role may lose every permission
  ASSERT_TRUE(store_->save_role_mapping(guest));
  EXPECT_EQ(store_->delete_role_mapping("guest").error().code, ErrorCode::kInvalidArgument);
  ASSERT_TRUE(store_->delete_role_mapping("Security Lead"));
  EXPECT_EQ(store_->delete_role_mapping("Security Lead").error().code, ErrorCode::kNotFound);
  EXPECT_EQ(store_->role_mappings()->size(), 6u);
}

}  // namespace provisio::store
