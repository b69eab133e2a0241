#pragma once
// GET /api/system/health and GET /api/system/status: liveness and readiness (api.md v1).

#include <string>

#include "http/router.hpp"

namespace provisio::http {

struct SystemInfo {
  std::string server_id;  // shown as "id"; empty until the server has one
};

// {"health":"GREEN","causes":[]}
HttpResponse system_health(const HttpRequest& request);

// {"id":"<server id>","version":"<version>","status":"UP"}
HttpResponse system_status(const SystemInfo& info);

// Adds both routes to router.
void add_system_routes(Router& router, SystemInfo info);

}  // namespace provisio::http
