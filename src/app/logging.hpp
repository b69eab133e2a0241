#pragma once
// The process's logs: logfmt lines on stderr (stdout carries command output such as
// `provisio export`). Messages made with logfmt() are written as they are; any other message
// becomes the quoted msg value, so a message from a library cannot break the format.

#include <spdlog/formatter.h>
#include <spdlog/spdlog.h>

#include <memory>

namespace provisio::app {

// ts=<UTC with ms> level=<trace|debug|info|warn|error|fatal> <payload>
class LogfmtFormatter final : public spdlog::formatter {
 public:
  void format(const spdlog::details::log_msg& msg, spdlog::memory_buf_t& dest) override;
  std::unique_ptr<spdlog::formatter> clone() const override;
};

// Makes the default logger a stderr logger with LogfmtFormatter at `level`. Call once, early in
// main, before other threads log.
void setup_logging(spdlog::level::level_enum level);

}  // namespace provisio::app
