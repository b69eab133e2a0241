#pragma once
// Which process holds a task, in a form another process on the same machine can check: the
// kernel's boot id, the PID namespace, the pid and the process's start time (clock ticks after
// boot, from /proc/<pid>/stat). The task queue records it with every claim, so that a node finds
// its own machine's dead runs and takes them over at once instead of waiting for their lease:
// a holder of this boot and PID namespace whose pid no longer runs, has ended (a zombie), or now
// belongs to a process started at another time (the pid was reused) is gone. A holder on another
// machine (another boot id) or in another PID namespace (another container) cannot be checked
// from here, and neither can one recorded by an older version (no identity): the lease decides.
//
// PROVISIO_TEST_BOOT_ID, for tests only, stands in for the kernel's boot id: a process started
// with it looks, to every other, as if it ran on another machine (and the lease decides).

#include <sys/types.h>

#include <string>
#include <string_view>

namespace provisio::store {

// This process: "<boot id> <pid namespace> <pid> <start time>". Empty where /proc cannot tell
// (not Linux): then only the lease decides for this process's tasks.
const std::string& this_process();

// The identity of the running process `pid` as this_process() gives it for itself; empty when no
// such process runs. Tests use it to name a process they then end.
std::string process_identity(pid_t pid);

// True when `identity` names a process of this machine and PID namespace that no longer runs.
// False for a live process, for another machine or namespace, and for anything unreadable.
bool process_is_gone(std::string_view identity);

}  // namespace provisio::store
