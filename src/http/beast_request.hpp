#pragma once
// A request as Beast parsed it -> the HttpRequest the router and the handlers see. Internal to
// src/http: the server calls it for every request, the http_request fuzzer (fuzz/) on arbitrary
// bytes.

#include <boost/beast/http/message.hpp>
#include <boost/beast/http/string_body.hpp>
#include <string>

#include "http/http_types.hpp"
#include "http/target.hpp"

namespace provisio::http {

using BeastRequest = boost::beast::http::request<boost::beast::http::string_body>;

// Header names in lower case; a repeated header's values joined by ", " (by "; " for Cookie, as
// RFC 6265 wants them in one line). Moves the body out of `request`.
HttpRequest to_request(BeastRequest& request, Target target, const std::string& remote);

// The path of a target, for choosing the error shape when the target itself is malformed.
std::string_view path_of(std::string_view target);

}  // namespace provisio::http
