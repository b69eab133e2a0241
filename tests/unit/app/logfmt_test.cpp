#include "app/logfmt.hpp"

#include <gtest/gtest.h>
#include <spdlog/details/log_msg.h>

#include "app/logging.hpp"

namespace provisio::app {
namespace {

TEST(LogfmtValue, PlainValuesStayBare) {
  EXPECT_EQ(logfmt_value("9000"), "9000");
  EXPECT_EQ(logfmt_value("127.0.0.1"), "127.0.0.1");
  EXPECT_EQ(logfmt_value("/api/system/health"), "/api/system/health");
  EXPECT_EQ(logfmt_value("sqlite:data/provisio.db"), "sqlite:data/provisio.db");
}

TEST(LogfmtValue, QuotesEmptyValuesSpacesAndEquals) {
  EXPECT_EQ(logfmt_value(""), R"("")");
  EXPECT_EQ(logfmt_value("a b"), R"("a b")");
  EXPECT_EQ(logfmt_value("a=b"), R"("a=b")");
}

TEST(LogfmtValue, EscapesQuotesBackslashesAndControlCharacters) {
  EXPECT_EQ(logfmt_value(R"(say "hi")"), R"("say \"hi\"")");
  EXPECT_EQ(logfmt_value(R"(C:\dir)"), R"("C:\\dir")");
  EXPECT_EQ(logfmt_value("line1\nline2"), R"("line1\nline2")");
  EXPECT_EQ(logfmt_value("a\rb\tc"), R"("a\rb\tc")");
  EXPECT_EQ(logfmt_value(std::string("nul\0x", 5)), R"("nul\u0000x")");
  EXPECT_EQ(logfmt_value("bell\x07"), R"("bell\u0007")");
  EXPECT_EQ(logfmt_value("del\x7f"), R"("del\u007f")");
}

TEST(LogfmtValue, Utf8PassesThrough) { EXPECT_EQ(logfmt_value("caf\xc3\xa9"), "caf\xc3\xa9"); }

TEST(Logfmt, MsgIsAlwaysQuotedAndFieldsFollowInOrder) {
  EXPECT_EQ(logfmt("listening", {{"addr", "127.0.0.1"}, {"port", "9000"}}),
            R"(msg="listening" addr=127.0.0.1 port=9000)");
  EXPECT_EQ(logfmt("stopped"), R"(msg="stopped")");
  EXPECT_EQ(logfmt("a \"b\"", {{"path", "/x y"}}), R"(msg="a \"b\"" path="/x y")");
}

TEST(Logfmt, ALineCannotBeSplitByAValue) {
  const std::string line = logfmt("m", {{"v", "x\nts=forged level=error"}});
  EXPECT_EQ(line.find('\n'), std::string::npos);
  EXPECT_EQ(line, R"(msg="m" v="x\nts=forged level=error")");
}

TEST(Logfmt, FormatsUtcMillis) {
  using namespace std::chrono;
  const auto t = system_clock::time_point(milliseconds(1795903200123));  // 2026-11-28T22:00:00.123Z
  EXPECT_EQ(format_utc_millis(t), "2026-11-28T22:00:00.123Z");
  EXPECT_EQ(format_utc_millis(system_clock::time_point(milliseconds(5))),
            "1970-01-01T00:00:00.005Z");
}

std::string format(spdlog::level::level_enum level, std::string_view payload) {
  spdlog::details::log_msg msg("provisio", level, payload);
  msg.time = std::chrono::system_clock::time_point(std::chrono::milliseconds(1795903200123));
  spdlog::memory_buf_t buffer;
  LogfmtFormatter().format(msg, buffer);
  return std::string(buffer.data(), buffer.size());
}

TEST(LogfmtFormatter, WritesTimestampLevelAndPayload) {
  EXPECT_EQ(format(spdlog::level::info, logfmt("listening", {{"port", "9000"}})),
            "ts=2026-11-28T22:00:00.123Z level=info msg=\"listening\" port=9000\n");
  EXPECT_EQ(format(spdlog::level::warn, logfmt("w")),
            "ts=2026-11-28T22:00:00.123Z level=warn msg=\"w\"\n");
  EXPECT_EQ(format(spdlog::level::err, logfmt("e")),
            "ts=2026-11-28T22:00:00.123Z level=error msg=\"e\"\n");
}

TEST(LogfmtFormatter, QuotesAPlainMessageAsMsg) {
  EXPECT_EQ(format(spdlog::level::debug, "handler threw \"x\"\nnext"),
            "ts=2026-11-28T22:00:00.123Z level=debug msg=\"handler threw \\\"x\\\"\\nnext\"\n");
}

}  // namespace
}  // namespace provisio::app
