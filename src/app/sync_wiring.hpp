#pragma once
// Builds the sync service a node runs: libcurl transport, this node's id, default settings.

#include <memory>
#include <string>

#include "core/time.hpp"
#include "store/store.hpp"
#include "sync/sync_service.hpp"

namespace provisio::app {

// "host:pid": unique per process, readable in the run history.
std::string node_id();

std::unique_ptr<sync::SyncService> make_sync_service(store::Store& store, const Clock& clock);

}  // namespace provisio::app
