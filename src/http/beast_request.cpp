#include "http/beast_request.hpp"

#include <algorithm>
#include <cctype>

namespace provisio::http {
namespace {

std::string lower(std::string_view text) {
  std::string out(text);
  std::transform(out.begin(), out.end(), out.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return out;
}

}  // namespace

HttpRequest to_request(BeastRequest& request, Target target, const std::string& remote) {
  HttpRequest out;
  out.remote_address = remote;
  out.method = std::string(request.method_string());
  out.path = std::move(target.path);
  out.query = std::move(target.query);
  for (const auto& field : request) {
    std::string name = lower(field.name_string());
    const bool cookie = name == "cookie";
    auto [it, inserted] = out.headers.try_emplace(std::move(name), field.value());
    if (!inserted) {
      it->second += cookie ? "; " : ", ";
      it->second += field.value();
    }
  }
  out.body = std::move(request.body());
  return out;
}

std::string_view path_of(std::string_view target) { return target.substr(0, target.find('?')); }

}  // namespace provisio::http
