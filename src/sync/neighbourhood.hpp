#pragma once
// Reads from GitLab, live, just what explaining one user's access to one project or group needs:
// the project, its namespace group and that group's ancestors, the groups invited into any of
// them (with the ancestors of groups invited into the project, whose members count too), the
// user's own direct membership of each, and the user's details. A few requests per level, where
// a full snapshot reads every group of the allowed roots. The result is a Snapshot the shared
// resolver (core/effective_access) reads as it reads a full one.

#include <string>
#include <vector>

#include "core/error.hpp"
#include "core/snapshot.hpp"
#include "gitlab/client.hpp"

namespace provisio::sync {

// Reads `first` and its ancestors into the snapshot (those not read yet); returns their ids,
// nearest first. Shared with the event sync's reader.
Result<std::vector<gl::Id>> read_chain(gitlab::Client& client, Snapshot& s, gl::Group first);

// True when the group at `full_path` is under one of the allowed root groups (its full path's
// first segment, ignoring case).
bool under_allowed_root(const std::string& full_path,
                        const std::vector<std::string>& allowed_roots);

// Marks in scope every group read that is under an allowed root group, and those without a
// parent as roots.
void mark_scope(Snapshot& s, const std::vector<std::string>& allowed_roots);

// The neighbourhood of GitLab project `project` for `user`. The project is in
// Snapshot::projects. kNotFound when GitLab does not show the project to the token.
Result<Snapshot> read_project_neighbourhood(gitlab::Client& client, gl::Id project, gl::Id user,
                                            const std::vector<std::string>& allowed_roots,
                                            const gl::Date& today);

// The neighbourhood of GitLab group `group` (id or full path) for `user`.
Result<Snapshot> read_group_neighbourhood(gitlab::Client& client, const std::string& group,
                                          gl::Id user,
                                          const std::vector<std::string>& allowed_roots,
                                          const gl::Date& today);

}  // namespace provisio::sync
