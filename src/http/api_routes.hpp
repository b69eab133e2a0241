#pragma once
// The route table of the Web API: every path of api.md's v1 and v2 tables (and the audit log),
// with who may call it. The OpenAPI document and the authorization tests are checked against
// this table, so a route added here without them fails the tests.

#include <vector>

#include "http/api.hpp"
#include "http/router.hpp"

namespace provisio::http {

// The table, its handlers bound to `context` (which must outlive the routes).
std::vector<ApiRoute> api_routes(ApiContext& context);

// Adds every route of the table to router, each behind the middleware of api_auth.hpp.
void add_api_routes(Router& router, ApiContext& context);

}  // namespace provisio::http
