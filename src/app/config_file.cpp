#include "app/config_file.hpp"

#include <toml++/toml.h>

#include <fstream>
#include <sstream>

namespace provisio::app {
namespace {

std::string where(std::string_view source, const toml::source_region& region) {
  return std::string(source) + ":" + std::to_string(region.begin.line);
}

Result<std::optional<std::string>> string_value(const toml::node& node, std::string_view key,
                                                std::string_view source) {
  if (const auto* s = node.as_string()) return std::optional<std::string>(s->get());
  return make_error(ErrorCode::kInvalidArgument, where(source, node.source()) + ": '" +
                                                     std::string(key) + "' must be a string.");
}

}  // namespace

Result<FileValues> parse_config_text(std::string_view text, std::string_view source) {
  toml::table table;
  try {
    table = toml::parse(text, source);
  } catch (const toml::parse_error& e) {
    return make_error(
        ErrorCode::kInvalidArgument,
        where(source, e.source()) + ": not valid TOML: " + std::string(e.description()));
  }
  FileValues out;
  out.source = std::string(source);
  for (const auto& [key_node, node] : table) {
    const std::string_view key = key_node.str();
    std::optional<std::string>* target = nullptr;
    if (key == "db") {
      target = &out.db;
    } else if (key == "data_dir") {
      target = &out.data_dir;
    } else if (key == "server_url") {
      target = &out.server_url;
    } else if (key == "bind") {
      target = &out.bind;
    } else if (key == "log_level") {
      target = &out.log_level;
    } else if (key == "ui_dir") {
      target = &out.ui_dir;
    } else if (key == "trusted_proxies") {
      // A string, or an array of strings.
      if (const auto* list = node.as_array()) {
        std::string joined;
        for (const auto& item : *list) {
          const auto* text = item.as_string();
          if (text == nullptr) {
            return make_error(ErrorCode::kInvalidArgument,
                              where(source, item.source()) +
                                  ": 'trusted_proxies' holds addresses and networks as strings.");
          }
          joined += (joined.empty() ? "" : ",") + text->get();
        }
        out.trusted_proxies = joined;
        continue;
      }
      target = &out.trusted_proxies;
    } else if (key == "max_connections" || key == "max_connections_per_address") {
      if (const auto* n = node.as_integer()) {
        (key == "max_connections" ? out.max_connections : out.max_connections_per_address) =
            n->get();
        continue;
      }
      return make_error(
          ErrorCode::kInvalidArgument,
          where(source, node.source()) + ": '" + std::string(key) + "' must be an integer.");
    } else if (key == "gitlab_allow_http") {
      if (const auto* b = node.as_boolean()) {
        out.gitlab_allow_http = b->get();
        continue;
      }
      return make_error(
          ErrorCode::kInvalidArgument,
          where(source, node.source()) + ": 'gitlab_allow_http' must be true or false.");
    } else if (key == "port") {
      if (const auto* n = node.as_integer()) {
        out.port = n->get();
        continue;
      }
      return make_error(ErrorCode::kInvalidArgument,
                        where(source, node.source()) + ": 'port' must be an integer.");
    } else {
      return make_error(
          ErrorCode::kInvalidArgument,
          where(source, key_node.source()) + ": unknown key '" + std::string(key) +
              "' (known: db, port, data_dir, server_url, bind, log_level, ui_dir, trusted_proxies, "
              "max_connections, max_connections_per_address, gitlab_allow_http).");
    }
    auto value = string_value(node, key, source);
    if (!value) return tl::unexpected(value.error());
    *target = std::move(*value);
  }
  return out;
}

Result<FileValues> read_config_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    return make_error(ErrorCode::kInvalidArgument,
                      "Cannot read the configuration file " + path + ".");
  }
  std::ostringstream text;
  text << in.rdbuf();
  if (in.bad()) {
    return make_error(ErrorCode::kInvalidArgument,
                      "Cannot read the configuration file " + path + ".");
  }
  return parse_config_text(text.str(), path);
}

}  // namespace provisio::app
