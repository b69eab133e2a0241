#include "http/system_handlers.hpp"

#include <nlohmann/json.hpp>

#include "http/json_response.hpp"
#include "http/version.hpp"

namespace provisio::http {

HttpResponse system_health(const HttpRequest& /*request*/) {
  return json_response(200, {{"health", "GREEN"}, {"causes", nlohmann::ordered_json::array()}});
}

HttpResponse system_status(const SystemInfo& info) {
  return json_response(
      200, nlohmann::ordered_json{
               {"id", info.server_id}, {"version", server_version()}, {"status", "UP"}});
}

void add_system_routes(Router& router, SystemInfo info) {
  router.add("GET", "/api/system/health", system_health);
  router.add("GET", "/api/system/status",
             [info = std::move(info)](const HttpRequest&) { return system_status(info); });
}

}  // namespace provisio::http
