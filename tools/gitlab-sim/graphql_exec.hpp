#pragma once
// Runs an analyzed GraphQL query against the world and answers POST /api/graphql as GitLab does:
// one query ({"query", "variables", "operationName"}) or a multiplexed batch (a JSON array of
// them, limited in complexity as a whole), GitLab's limits (10,000 characters of query text,
// complexity 200 anonymous / 250 authenticated / 300 for administrators, depth 15 / 20) and its
// error bodies. The data is the REST API's: the same groups, projects, direct memberships, users
// and custom roles, seen with the same visibility rules.
//
// Member lists follow GitLab's finders for the relations a sync uses: DIRECT (the source's own
// rows, expired ones included, as REST's /members) and INHERITED (ancestors' rows, one per user
// at the highest level); the other relations answer an error saying they are not simulated.
// Nothing here knows about memberships awaiting a seat or invitations by email: the world has
// none, so `pendingMembers` is always empty.
//
// Pure given the world (read under the caller's lock).

#include <map>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>

#include "graphql_analysis.hpp"
#include "visibility.hpp"
#include "world.hpp"

namespace provisio::sim::graphql {

// GitLab's limits (app/graphql/gitlab_schema.rb, app/controllers/graphql_controller.rb).
inline constexpr int kAnonymousMaxComplexity = 200;
inline constexpr int kAuthenticatedMaxComplexity = 250;
inline constexpr int kAdminMaxComplexity = 300;
inline constexpr int kAnonymousMaxDepth = 15;
inline constexpr int kAuthenticatedMaxDepth = 20;
inline constexpr std::size_t kMaxQuerySize = 10'000;

struct ExecContext {
  const World& world;
  Viewer viewer;
  std::string_view today;
  std::string base_url;
};

// What one POST did, for the simulator's counters.
struct Stats {
  int operations = 0;  // queries run or refused (a multiplex counts each)
  bool multiplexed = false;
  int complexity = 0;                      // of everything asked, refused or not
  bool refused_for_complexity = false;     // the limit was exceeded
  std::map<std::string, int> root_fields;  // how often each Query field was asked
};

struct HttpAnswer {
  int status = 200;
  std::string body;
  Stats stats;
};

// The answer to a POST /api/graphql body.
HttpAnswer answer(std::string_view body, const ExecContext& context);

// The complexity limit and depth limit GitLab applies to this caller.
int max_complexity(const Viewer& viewer);
int max_depth(const Viewer& viewer);

}  // namespace provisio::sim::graphql
