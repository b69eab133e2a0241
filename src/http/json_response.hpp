#pragma once
// A JSON answer from a handler.

#include <nlohmann/json.hpp>

#include "http/http_types.hpp"

namespace provisio::http {

// Serialises body compactly, keys in the order they were written (the order the API documents;
// a plain nlohmann::json converts and comes out sorted). Invalid UTF-8 in strings is replaced,
// never thrown.
HttpResponse json_response(int status, const nlohmann::ordered_json& body);

}  // namespace provisio::http
