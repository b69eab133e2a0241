#include "core/bots.hpp"

#include <cctype>

namespace provisio {
namespace {

bool starts_with(std::string_view text, std::string_view prefix) {
  return text.substr(0, prefix.size()) == prefix;
}

// `<prefix><digits>_bot…`: an access token's user.
bool token_bot(std::string_view username, std::string_view prefix) {
  if (!starts_with(username, prefix)) return false;
  std::size_t i = prefix.size();
  const std::size_t digits = i;
  while (i < username.size() && std::isdigit(static_cast<unsigned char>(username[i])) != 0) ++i;
  return i > digits && starts_with(username.substr(i), "_bot");
}

}  // namespace

bool is_bot(std::string_view username, bool bot_flag) {
  if (bot_flag) return true;
  if (token_bot(username, "project_") || token_bot(username, "group_")) return true;
  // Every service account GitLab names itself starts so, whatever level provisioned it.
  return starts_with(username, "service_account_");
}

}  // namespace provisio
