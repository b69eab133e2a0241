#include "auth/password.hpp"

#include <gtest/gtest.h>

namespace provisio::auth {
namespace {

TEST(Password, HashesWithArgon2idAndVerifies) {
  auto hash = hash_password("correct horse");
  ASSERT_TRUE(hash);
  EXPECT_EQ(hash->rfind("$argon2id$", 0), 0u);
  EXPECT_EQ(hash->find("correct horse"), std::string::npos);
  EXPECT_TRUE(verify_password("correct horse", *hash));
  EXPECT_FALSE(verify_password("correct horsE", *hash));
  EXPECT_NE(*hash_password("correct horse"), *hash);  // salted
}

TEST(Password, RefusesEmptyPasswordsAndMalformedHashes) {
  EXPECT_FALSE(hash_password(""));
  EXPECT_FALSE(verify_password("x", ""));
  EXPECT_FALSE(verify_password("x", "$argon2id$garbage"));
  EXPECT_FALSE(verify_password("x", std::string(500, 'a')));
}

TEST(Password, GeneratesRandomPasswords) {
  const std::string a = generate_password();
  EXPECT_EQ(a.size(), 20u);
  EXPECT_NE(a, generate_password());
  EXPECT_EQ(a.find_first_of("0O1lI"), std::string::npos);  // no look-alike characters
}

}  // namespace
}  // namespace provisio::auth
