#include "app/logging.hpp"

#include <spdlog/sinks/stdout_sinks.h>

#include <string>
#include <string_view>

#include "app/logfmt.hpp"

namespace provisio::app {
namespace {

std::string_view level_name(spdlog::level::level_enum level) {
  switch (level) {
    case spdlog::level::trace:
      return "trace";
    case spdlog::level::debug:
      return "debug";
    case spdlog::level::info:
      return "info";
    case spdlog::level::warn:
      return "warn";
    case spdlog::level::err:
      return "error";
    case spdlog::level::critical:
      return "fatal";
    default:
      return "info";
  }
}

}  // namespace

void LogfmtFormatter::format(const spdlog::details::log_msg& msg, spdlog::memory_buf_t& dest) {
  std::string line = "ts=" + format_utc_millis(msg.time) + " level=";
  line += level_name(msg.level);
  line += ' ';
  const std::string_view payload(msg.payload.data(), msg.payload.size());
  if (is_logfmt_payload(payload)) {
    line += payload;
  } else {
    line += "msg=" + logfmt_quoted(payload);
  }
  line += '\n';
  dest.append(line.data(), line.data() + line.size());
}

std::unique_ptr<spdlog::formatter> LogfmtFormatter::clone() const {
  return std::make_unique<LogfmtFormatter>();
}

void setup_logging(spdlog::level::level_enum level) {
  auto sink = std::make_shared<spdlog::sinks::stderr_sink_mt>();
  sink->set_formatter(std::make_unique<LogfmtFormatter>());
  auto logger = std::make_shared<spdlog::logger>("provisio", std::move(sink));
  logger->set_level(level);
  spdlog::set_default_logger(std::move(logger));
}

}  // namespace provisio::app
