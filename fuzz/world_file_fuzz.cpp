// gitlab-sim's world file reader (tools/gitlab-sim/world_json.hpp): any text is a world or a
// kInvalidArgument naming the problem; never a crash, an exception or a sanitizer report. A
// world that is read must hold what the file said (its users are found by id) and be a world the
// simulator can serve (its groups form a tree).

#include <cstddef>
#include <cstdint>
#include <string>

#include "core/error.hpp"
#include "fuzz_check.hpp"
#include "world_json.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace provisio;
  const std::string text(reinterpret_cast<const char*>(data), size);
  auto world = sim::parse_world(text);
  if (!world) {
    fuzz::require(
        world.error().code == ErrorCode::kInvalidArgument && !world.error().message.empty(),
        "a bad world is kInvalidArgument with a message");
    return 0;
  }
  for (const auto& [id, user] : world->users()) fuzz::require(user.id == id, "users by id");
  // The simulator walks up the tree for every member list and path: a cycle would hang it.
  const auto& groups = world->groups();
  for (const auto& [id, group] : groups) {
    std::size_t steps = 0;
    for (auto at = group.parent_id; at; at = groups.at(*at).parent_id) {
      fuzz::require(++steps <= groups.size(), "the group tree has no cycle");
    }
  }
  return 0;
}
