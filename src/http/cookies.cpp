#include "http/cookies.hpp"

namespace provisio::http {

std::string cookie_line(std::string_view name, std::string_view value,
                        const CookieOptions& options) {
  std::string line = std::string(name) + "=" + std::string(value) +
                     "; Path=" + std::string(options.path) +
                     "; Max-Age=" + std::to_string(options.max_age_ms / 1000) + "; SameSite=Lax";
  if (options.http_only) line += "; HttpOnly";
  if (options.secure) line += "; Secure";
  return line;
}

}  // namespace provisio::http
