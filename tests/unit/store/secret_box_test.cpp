// SecretBox against real files in a temporary directory.
#include "store/secret_box.hpp"

#include <gtest/gtest.h>
#include <sys/stat.h>

#include <filesystem>
#include <fstream>

#include "postgres_cluster.hpp"  // make_temp_dir
#include "store/database_url.hpp"

namespace provisio::store {
namespace {

namespace fs = std::filesystem;

class SecretBoxTest : public ::testing::Test {
 protected:
  void SetUp() override { dir_ = testing::make_temp_dir("provisio-key-"); }
  void TearDown() override { fs::remove_all(dir_); }
  std::string dir_;
};

TEST_F(SecretBoxTest, CreatesTheKeyFileWithMode0600AndReadsItBack) {
  const std::string path = dir_ + "/sub/secret.key";
  auto box = SecretBox::open_key_file(path);
  ASSERT_TRUE(box) << box.error().message;
  struct stat st {};
  ASSERT_EQ(::stat(path.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600u);
  EXPECT_EQ(st.st_size, 32);
  const std::string sealed = (*box)->seal("glpat-secret");
  auto again = SecretBox::open_key_file(path);
  ASSERT_TRUE(again);
  EXPECT_EQ(*(*again)->open(sealed), "glpat-secret");
}

TEST_F(SecretBoxTest, RefusesAKeyFileOthersCanRead) {
  const std::string path = dir_ + "/secret.key";
  ASSERT_TRUE(SecretBox::open_key_file(path));
  fs::permissions(path, fs::perms::group_read, fs::perm_options::add);
  auto box = SecretBox::open_key_file(path);
  ASSERT_FALSE(box);
  EXPECT_EQ(box.error().code, ErrorCode::kFailedPrecondition);
  EXPECT_NE(box.error().message.find("chmod 600"), std::string::npos);
}

TEST_F(SecretBoxTest, RefusesAKeyFileOfTheWrongSize) {
  const std::string path = dir_ + "/secret.key";
  std::ofstream(path) << "short";
  fs::permissions(path, fs::perms::owner_read | fs::perms::owner_write);
  EXPECT_FALSE(SecretBox::open_key_file(path));
}

TEST(SecretBox, SealsWithAFreshNonceAndDetectsTampering) {
  SecretBox box(SecretBox::Key{7});
  const std::string a = box.seal("token");
  const std::string b = box.seal("token");
  EXPECT_NE(a, b);
  EXPECT_EQ(a.find("token"), std::string::npos);
  EXPECT_EQ(*box.open(a), "token");
  std::string altered = a;
  altered[altered.size() - 3] = altered[altered.size() - 3] == 'A' ? 'B' : 'A';
  EXPECT_FALSE(box.open(altered));
  EXPECT_FALSE(box.open("not sealed"));
  SecretBox other(SecretBox::Key{8});
  EXPECT_FALSE(other.open(a));
  EXPECT_EQ(*box.open(box.seal("")), "");
}

TEST(SecretBox, ABoundValueOpensOnlyWithWhatItWasBoundTo) {
  SecretBox box(SecretBox::Key{7});
  const std::string sealed = box.seal("glpat-token", "https://gitlab.example.com");
  EXPECT_TRUE(SecretBox::is_bound(sealed));
  EXPECT_FALSE(SecretBox::is_bound(box.seal("glpat-token")));
  EXPECT_EQ(sealed.find("glpat"), std::string::npos);
  EXPECT_EQ(*box.open(sealed, "https://gitlab.example.com"), "glpat-token");
  EXPECT_FALSE(box.open(sealed, "https://attacker.example"));
  EXPECT_FALSE(box.open(sealed, "https://gitlab.example.com/"));
  EXPECT_FALSE(box.open(sealed)) << "v2 values are never opened without what they are bound to";
  EXPECT_FALSE(SecretBox(SecretBox::Key{8}).open(sealed, "https://gitlab.example.com"));
  std::string altered = sealed;
  altered[altered.size() - 3] = altered[altered.size() - 3] == 'A' ? 'B' : 'A';
  EXPECT_FALSE(box.open(altered, "https://gitlab.example.com"));
  // A value sealed before binding existed still opens (the store binds it at its next migration).
  EXPECT_EQ(*box.open(box.seal("old"), "anything"), "old");
}

TEST(DatabaseUrl, ParsesTheTwoSchemesAndRedactsPasswords) {
  auto s = parse_database_url("sqlite:data/provisio.db");
  ASSERT_TRUE(s);
  EXPECT_EQ(s->kind, DatabaseUrl::Kind::kSqlite);
  EXPECT_EQ(s->sqlite_path, "data/provisio.db");
  auto p = parse_database_url("postgresql://prov:s3cret@db.example:5432/provisio");
  ASSERT_TRUE(p);
  EXPECT_EQ(p->kind, DatabaseUrl::Kind::kPostgresql);
  EXPECT_EQ(p->redacted(), "postgresql://prov:***@db.example:5432/provisio");
  EXPECT_EQ(parse_database_url("postgresql://h/db?password=abc&sslmode=require")->redacted(),
            "postgresql://h/db?password=***&sslmode=require");
  EXPECT_FALSE(parse_database_url("mysql://x"));
  EXPECT_FALSE(parse_database_url("sqlite:"));
  EXPECT_FALSE(parse_database_url(""));
}

}  // namespace
}  // namespace provisio::store
