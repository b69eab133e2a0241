#pragma once
// Builds the sync service a node runs: libcurl transport, this node's id, default settings.

#include <memory>
#include <string>

#include "app/environment.hpp"
#include "core/time.hpp"
#include "metrics/registry.hpp"
#include "store/store.hpp"
#include "sync/sync_service.hpp"

namespace provisio::app {

// "host:pid": unique per process, readable in the run history.
std::string node_id();

// PROVISIO_SYNC_LEASE_SECONDS (1 to 3600; default 120): how long a node that stops renewing the
// lease of the task it runs keeps that task before a node on another machine ends the run as
// failed and runs it again. A node on the same machine does not wait for it: it sees at once that
// the holder's process is gone (store/process_identity.hpp). Shorter: a faster take-over across
// machines, more heartbeats (one every sixth of the lease). kInvalidArgument naming the variable
// for a bad value.
Result<Millis> sync_lease_ms(const Getenv& getenv = process_getenv);

// PROVISIO_GITLAB_READ_API (`graphql`, the default, or `rest`): how a full sync reads GitLab's
// member lists (docs/gitlab-graphql.md). kInvalidArgument naming the variable for a bad value.
Result<sync::MembersApi> gitlab_read_api(const Getenv& getenv = process_getenv);

// `metrics` (not owned; may be null) counts the runs and their GitLab requests.
std::unique_ptr<sync::SyncService> make_sync_service(
    store::Store& store, const Clock& clock, metrics::Registry* metrics = nullptr,
    Millis lease_ms = sync::SyncOptions{}.lease_ms,
    sync::MembersApi members_api = sync::MembersApi::kGraphql);

}  // namespace provisio::app
