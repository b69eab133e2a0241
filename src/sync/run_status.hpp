#pragma once
// The last full sync that ended and the next run, read from the recent tasks: what the status
// endpoint and `provisio status` both show.

#include <optional>
#include <vector>

#include "core/task.hpp"

namespace provisio::sync {

struct RunStatus {
  std::optional<Task> last;  // the newest full sync that ended
  std::optional<Task> next;  // the oldest task pending or running
};

// `recent`: tasks newest first, as Store::list_tasks returns them.
RunStatus run_status(const std::vector<Task>& recent);

}  // namespace provisio::sync
