#include "sync/run_status.hpp"

namespace provisio::sync {

RunStatus run_status(const std::vector<Task>& recent) {
  RunStatus out;
  for (const Task& t : recent) {
    if (t.status == TaskStatus::kPending || t.status == TaskStatus::kInProgress) {
      if (!out.next || t.id < out.next->id) out.next = t;
    } else if (!out.last && t.type == TaskType::kGitlabAuthProvisioning) {
      out.last = t;
    }
  }
  return out;
}

}  // namespace provisio::sync
