#pragma once
// The environment variables the server reads. Variables that are set but empty count as unset.

#include <functional>
#include <optional>
#include <string>

#include "app/settings.hpp"

namespace provisio::app {

// A lookup of one variable; nothing when unset. The default reads the process environment;
// tests pass a map.
using Getenv = std::function<std::optional<std::string>(const char* name)>;

std::optional<std::string> process_getenv(const char* name);

EnvValues read_environment(const Getenv& getenv = process_getenv);

}  // namespace provisio::app
