#pragma once
// The TOML configuration file given with --config:
//   db = "postgresql://provisio@db/provisio"
//   port = 9000
//   data_dir = "/var/lib/provisio"
//   server_url = "https://sonar.example.com"
//   bind = "0.0.0.0"
//   log_level = "info"
// Unknown keys are refused, so a misspelt key does not silently keep the default.

#include <string>
#include <string_view>

#include "app/settings.hpp"
#include "core/error.hpp"

namespace provisio::app {

// Parses TOML text; `source` names it in messages ("provisio.toml:3: ..."). kInvalidArgument
// for malformed TOML (with its line number), an unknown key or a value of the wrong type.
Result<FileValues> parse_config_text(std::string_view text, std::string_view source);

// Reads and parses the file. kInvalidArgument when it cannot be read.
Result<FileValues> read_config_file(const std::string& path);

}  // namespace provisio::app
