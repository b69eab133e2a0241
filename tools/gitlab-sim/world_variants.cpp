#include "world_variants.hpp"

#include <nlohmann/json.hpp>

#include "world_json.hpp"

namespace provisio::sim {

Result<World> without_custom_roles(const World& world) {
  // Through the file format, which carries everything a world holds.
  nlohmann::json j = nlohmann::json::parse(write_world(world));
  j["custom_roles"] = nlohmann::json::array();
  for (const char* key : {"group_members", "project_members"}) {
    for (auto& source : j[key]) {
      for (auto& row : source["members"]) {
        if (row.is_array() && row.size() > 3) row[3] = nullptr;
      }
    }
  }
  return parse_world(j.dump());
}

}  // namespace provisio::sim
