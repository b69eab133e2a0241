#include "http/error_response.hpp"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

namespace provisio::http {
namespace {

TEST(ErrorResponse, MapsEachCodeToItsStatus) {
  EXPECT_EQ(http_status(ErrorCode::kInvalidArgument), 400);
  EXPECT_EQ(http_status(ErrorCode::kFailedPrecondition), 400);
  EXPECT_EQ(http_status(ErrorCode::kUnauthenticated), 401);
  EXPECT_EQ(http_status(ErrorCode::kPermissionDenied), 403);
  EXPECT_EQ(http_status(ErrorCode::kNotFound), 404);
  EXPECT_EQ(http_status(ErrorCode::kAlreadyExists), 409);
  EXPECT_EQ(http_status(ErrorCode::kRateLimited), 429);
  EXPECT_EQ(http_status(ErrorCode::kUnavailable), 503);
  EXPECT_EQ(http_status(ErrorCode::kAborted), 500);
  EXPECT_EQ(http_status(ErrorCode::kInternal), 500);
}

TEST(ErrorResponse, V1PathsUseTheErrorsArray) {
  const auto r =
      error_response("/api/users/current", Error{ErrorCode::kNotFound, "User 'bob' not found."});
  EXPECT_EQ(r.status, 404);
  EXPECT_EQ(r.content_type, "application/json");
  EXPECT_EQ(nlohmann::json::parse(r.body),
            nlohmann::json::parse(R"({"errors":[{"msg":"User 'bob' not found."}]})"));
}

TEST(ErrorResponse, V2PathsUseAMessage) {
  const auto r = error_response("/api/v2/authorizations/groups",
                                Error{ErrorCode::kAlreadyExists, "Group \"a\" exists."});
  EXPECT_EQ(r.status, 409);
  EXPECT_EQ(nlohmann::json::parse(r.body),
            nlohmann::json::parse(R"({"message":"Group \"a\" exists."})"));
}

TEST(ErrorResponse, OnlyPathsUnderApiV2AreV2) {
  EXPECT_TRUE(is_v2_path("/api/v2/users-management/users"));
  EXPECT_FALSE(is_v2_path("/api/v2"));
  EXPECT_FALSE(is_v2_path("/api/v20/x"));
  EXPECT_FALSE(is_v2_path("/api/system/status"));
}

TEST(ErrorResponse, InternalErrorsHideTheirMessage) {
  const auto r = error_response("/api/v2/x", Error{ErrorCode::kInternal, "SQL: secret stuff"});
  EXPECT_EQ(r.status, 500);
  EXPECT_EQ(r.body, R"({"message":"An internal error occurred."})");
}

TEST(ErrorResponse, InvalidUtf8InAMessageDoesNotThrow) {
  const auto r = error_response("/api/x", 400, std::string("bad \xff input"));
  EXPECT_EQ(r.status, 400);
  EXPECT_TRUE(nlohmann::json::accept(r.body));
}

}  // namespace
}  // namespace provisio::http
