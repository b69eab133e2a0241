#pragma once
// Reading a GitLab hook's request (CONTRACT.md §10): the X-Gitlab-Event header and the few
// fields of the JSON body that say where to look. Apart from the handler, so the fuzzer reaches
// it (fuzz/gitlab_event_fuzz.cpp) without the store.

#include <optional>
#include <string>
#include <string_view>

#include "core/gitlab_event.hpp"

namespace provisio::http {

// The event, or nothing with `problem` saying why when the body is not a JSON object.
std::optional<GitlabEvent> read_gitlab_event(std::string hook, std::string_view body,
                                             std::string& problem);

}  // namespace provisio::http
