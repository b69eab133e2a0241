#pragma once
// The OpenAPI 3 document of the whole Web API (src/http/openapi.json, compiled in), served at
// GET /api/v2/openapi.json. tests/api checks that it documents exactly the routes of the table.

#include <string_view>

namespace provisio::http {

std::string_view openapi_json();

}  // namespace provisio::http
