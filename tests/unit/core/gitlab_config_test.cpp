#include "core/gitlab_config.hpp"

#include <gtest/gtest.h>

namespace provisio {
namespace {

TEST(GitlabConfig, DefaultsFollowTheSpec) {
  const GitlabConfig c;
  EXPECT_EQ(c.url, "https://gitlab.com");
  EXPECT_EQ(c.provisioning_type, ProvisioningType::kJit);
  EXPECT_FALSE(c.enabled);
  EXPECT_TRUE(validate(c));
}

TEST(GitlabConfig, TrailingSlashesAreDropped) {
  EXPECT_EQ(normalize_gitlab_url("https://gitlab.example.com/"), "https://gitlab.example.com");
  EXPECT_EQ(normalize_gitlab_url("https://gitlab.example.com//"), "https://gitlab.example.com");
  EXPECT_EQ(normalize_gitlab_url("https://h/gitlab"), "https://h/gitlab");
}

TEST(GitlabConfig, AutomaticProvisioningNeedsATokenAndAllowedGroups) {
  GitlabConfig c;
  c.enabled = true;
  c.provisioning_type = ProvisioningType::kAutoProvisioning;
  auto r = validate(c);
  ASSERT_FALSE(r);
  EXPECT_NE(r.error().message.find("token"), std::string::npos);
  c.provisioning_token = "t";
  r = validate(c);
  ASSERT_FALSE(r);
  EXPECT_NE(r.error().message.find("allowed group"), std::string::npos);
  c.allowed_groups = {"acme"};
  EXPECT_TRUE(validate(c));
}

TEST(GitlabConfig, AutomaticProvisioningNeedsTheConfigurationEnabled) {
  GitlabConfig c;
  c.enabled = false;
  c.provisioning_type = ProvisioningType::kAutoProvisioning;
  c.provisioning_token = "t";
  c.allowed_groups = {"acme"};
  auto r = validate(c);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, ErrorCode::kInvalidArgument);
  EXPECT_EQ(r.error().message,
            "Automatic provisioning needs GitLab authentication enabled: enable the "
            "configuration first.");
  c.provisioning_type = ProvisioningType::kJit;
  EXPECT_TRUE(validate(c)) << "a disabled Just-in-Time configuration is fine";
}

TEST(GitlabConfig, RefusesBadUrlsAndNestedAllowedGroups) {
  GitlabConfig c;
  c.url = "ftp://gitlab.example.com";
  EXPECT_FALSE(validate(c));
  c.url = "gitlab.example.com";
  EXPECT_FALSE(validate(c));
  c.url = "https://gitlab.example.com";
  c.allowed_groups = {"acme/sub"};
  EXPECT_FALSE(validate(c));
}

TEST(GitlabConfig, PlainHttpOnlyToALoopbackAddressOrWhenAllowed) {
  GitlabConfig c;
  for (const char* url :
       {"http://gitlab.example.com", "http://10.0.0.5:8080", "http://127.0.0.1.evil.example",
        "http://127.0.0.1@evil.example", "http://localhost.evil.example"}) {
    c.url = url;
    const auto refused = validate(c);
    ASSERT_FALSE(refused) << url;
    EXPECT_NE(refused.error().message.find("https://"), std::string::npos);
    EXPECT_TRUE(validate(c, /*allow_http=*/true)) << url;
  }
  for (const char* url : {"http://127.0.0.1:8929", "http://localhost", "http://[::1]:80/gitlab",
                          "http://127.1.2.3", "https://gitlab.example.com"}) {
    c.url = url;
    EXPECT_TRUE(validate(c)) << url;
  }
}

}  // namespace
}  // namespace provisio
