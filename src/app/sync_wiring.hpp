#pragma once
// Builds the sync service a node runs: libcurl transport, this node's id, default settings.

#include <memory>
#include <string>

#include "core/time.hpp"
#include "metrics/registry.hpp"
#include "store/store.hpp"
#include "sync/sync_service.hpp"

namespace provisio::app {

// "host:pid": unique per process, readable in the run history.
std::string node_id();

// `metrics` (not owned; may be null) counts the runs and their GitLab requests.
std::unique_ptr<sync::SyncService> make_sync_service(store::Store& store, const Clock& clock,
                                                     metrics::Registry* metrics = nullptr);

}  // namespace provisio::app
