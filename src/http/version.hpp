#pragma once
// The server's version: CMake's PROJECT_VERSION, compiled into this layer.

#include <string_view>

namespace provisio::http {

std::string_view server_version();

}  // namespace provisio::http
