#pragma once
// logfmt, the log format: `key=value` pairs separated by spaces, one event per line, e.g.
//   ts=2026-11-28T22:00:00.123Z level=info msg="listening" addr=127.0.0.1 port=9000
// Values are quoted when they need it, so a value never breaks the line apart.

#include <chrono>
#include <initializer_list>
#include <string>
#include <string_view>
#include <utility>

namespace provisio::app {

// The value as logfmt writes it: bare when it is non-empty and has no space, quote, '=',
// backslash or control character; otherwise in double quotes with \" \\ \n \r \t and \u00XX
// escapes.
std::string logfmt_value(std::string_view value);

// The same, always quoted (for msg, which readers expect quoted).
std::string logfmt_quoted(std::string_view value);

using LogField = std::pair<std::string_view, std::string>;

// `msg="<msg>" k1=v1 k2=v2`: the payload of one log line. Keys are written as given: they are
// literals of the code, never input.
std::string logfmt(std::string_view msg, std::initializer_list<LogField> fields = {});

// True when text already is a logfmt payload made by logfmt() (starts with `msg="`).
bool is_logfmt_payload(std::string_view text);

// 2026-11-28T22:00:00.123Z
std::string format_utc_millis(std::chrono::system_clock::time_point time);

}  // namespace provisio::app
