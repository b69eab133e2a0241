#include "http/gitlab_event_payload.hpp"

#include <cstdint>
#include <nlohmann/json.hpp>

#include "http/request_input.hpp"

namespace provisio::http {
namespace {

std::optional<std::int64_t> id_field(const nlohmann::json& body, const char* key) {
  const auto it = body.find(key);
  if (it == body.end() || !it->is_number_integer()) return std::nullopt;
  return it->get<std::int64_t>();
}

}  // namespace

std::optional<GitlabEvent> read_gitlab_event(std::string hook, std::string_view body,
                                             std::string& problem) {
  if (json_nested_deeper_than(body, kMaxJsonDepth)) {
    problem = "The body is nested deeper than " + std::to_string(kMaxJsonDepth) +
              " levels: it is not a GitLab hook.";
    return std::nullopt;
  }
  const auto json = nlohmann::json::parse(body, nullptr, false);
  if (!json.is_object()) {
    problem = "The body is not a JSON object: it is not a GitLab hook.";
    return std::nullopt;
  }
  GitlabEvent e;
  e.hook = std::move(hook);
  for (const char* key : {"event_name", "object_kind"}) {
    if (const auto it = json.find(key); it != json.end() && it->is_string()) {
      e.event_name = it->get<std::string>();
      break;
    }
  }
  e.group_id = id_field(json, "group_id");
  e.project_id = id_field(json, "project_id");
  e.user_id = id_field(json, "user_id");
  return e;
}

}  // namespace provisio::http
