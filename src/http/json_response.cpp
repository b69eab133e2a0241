#include "http/json_response.hpp"

namespace provisio::http {

HttpResponse json_response(int status, const nlohmann::ordered_json& body) {
  HttpResponse response;
  response.status = status;
  response.body = body.dump(-1, ' ', false, nlohmann::ordered_json::error_handler_t::replace);
  return response;
}

}  // namespace provisio::http
