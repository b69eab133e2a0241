// gitlab-sim's GraphQL endpoint (tools/gitlab-sim/graphql_exec.hpp): parser, validation,
// complexity and execution against a small world. Any bytes, as a query or as a whole request
// body (one query or a multiplexed batch), get an answer: valid JSON with GitLab's status (200,
// or 400 for a body that is not JSON, 422 for a query too large), never a crash, an exception,
// a hang or a sanitizer report. A parse never recurses past its nesting limit.

#include <cstddef>
#include <cstdint>
#include <nlohmann/json.hpp>
#include <string>

#include "fuzz_check.hpp"
#include "graphql_exec.hpp"
#include "graphql_parser.hpp"
#include "world_json.hpp"

namespace {

constexpr const char* kWorld = R"({
 "users": [{"id":1,"username":"root","is_admin":true}, {"id":2,"username":"alice"},
           {"id":3,"username":"bob","state":"blocked"}],
 "groups": [{"id":1,"path":"top"}, {"id":2,"path":"sub","parent_id":1}],
 "projects": [{"id":1,"path":"app","namespace_id":2}],
 "custom_roles": [{"id":1,"name":"Auditor","base_access_level":20}],
 "group_members": [{"group_id":1,"members":[[2,50,null,null],[3,20,"2020-01-01",1]]}],
 "project_members": [{"project_id":1,"members":[[3,30,null,null]]}]
})";

const provisio::sim::World& world() {
  static const provisio::sim::World w = *provisio::sim::parse_world(kWorld);
  return w;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace provisio::sim;
  if (size == 0) return 0;
  const std::string input(reinterpret_cast<const char*>(data) + 1, size - 1);
  // The parser alone first: bounded nesting, an error with a message.
  const auto parsed = graphql::parse(input);
  if (!parsed) provisio::fuzz::require(!parsed.error().message.empty(), "a parse error says why");
  const Viewer viewer{world().user(data[0] % 3 == 0 ? 1 : 2)};
  const graphql::ExecContext context{world(), viewer, "2025-06-01", "http://gitlab.test"};
  // First byte even: the bytes are the query text; odd: they are the request body.
  const std::string body = data[0] % 2 == 0
                               ? nlohmann::json{{"query", input}}.dump(
                                     -1, ' ', false, nlohmann::json::error_handler_t::replace)
                               : input;
  const graphql::HttpAnswer answer = graphql::answer(body, context);
  provisio::fuzz::require(answer.status == 200 || answer.status == 400 || answer.status == 422,
                          "GitLab's statuses only");
  const auto json = nlohmann::json::parse(answer.body, nullptr, false);
  provisio::fuzz::require(!json.is_discarded(), "the answer is JSON");
  provisio::fuzz::require(json.is_object() || json.is_array(), "an object, or a batch's array");
  return 0;
}
