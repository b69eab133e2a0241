#include "http/version.hpp"

#ifndef PROVISIO_VERSION
#error "PROVISIO_VERSION must be defined by the build (CMake's PROJECT_VERSION)"
#endif

namespace provisio::http {

std::string_view server_version() { return PROVISIO_VERSION; }

}  // namespace provisio::http
