#include "http/cookies.hpp"

namespace provisio::http {

std::string wire_name(std::string_view name, bool secure, std::string_view path) {
  if (!secure) return std::string(name);
  return std::string(path == "/" ? "__Host-" : "__Secure-") + std::string(name);
}

std::string cookie_line(std::string_view name, std::string_view value,
                        const CookieOptions& options) {
  std::string line = wire_name(name, options.secure, options.path) + "=" + std::string(value) +
                     "; Path=" + std::string(options.path) +
                     "; Max-Age=" + std::to_string(options.max_age_ms / 1000) + "; SameSite=Lax";
  if (options.http_only) line += "; HttpOnly";
  if (options.secure) line += "; Secure";
  return line;
}

}  // namespace provisio::http
