#include "app/logfmt.hpp"

#include <cstdio>
#include <ctime>

namespace provisio::app {
namespace {

bool needs_quotes(std::string_view value) {
  if (value.empty()) return true;
  for (const char ch : value) {
    const auto c = static_cast<unsigned char>(ch);
    if (c <= 0x20 || c == 0x7f || c == '"' || c == '=' || c == '\\') return true;
  }
  return false;
}

void append_escaped(std::string& out, std::string_view value) {
  static constexpr char kHex[] = "0123456789abcdef";
  for (const char ch : value) {
    const auto c = static_cast<unsigned char>(ch);
    switch (ch) {
      case '"':
        out += "\\\"";
        break;
      case '\\':
        out += "\\\\";
        break;
      case '\n':
        out += "\\n";
        break;
      case '\r':
        out += "\\r";
        break;
      case '\t':
        out += "\\t";
        break;
      default:
        if (c < 0x20 || c == 0x7f) {
          out += "\\u00";
          out += kHex[c >> 4];
          out += kHex[c & 0xf];
        } else {
          out += ch;  // UTF-8 bytes pass through
        }
    }
  }
}

}  // namespace

std::string logfmt_quoted(std::string_view value) {
  std::string out;
  out.reserve(value.size() + 2);
  out += '"';
  append_escaped(out, value);
  out += '"';
  return out;
}

std::string logfmt_value(std::string_view value) {
  if (!needs_quotes(value)) return std::string(value);
  return logfmt_quoted(value);
}

std::string logfmt(std::string_view msg, std::initializer_list<LogField> fields) {
  std::string out = "msg=" + logfmt_quoted(msg);
  for (const auto& [key, value] : fields) {
    out += ' ';
    out += key;
    out += '=';
    out += logfmt_value(value);
  }
  return out;
}

bool is_logfmt_payload(std::string_view text) { return text.rfind("msg=\"", 0) == 0; }

std::string format_utc_millis(std::chrono::system_clock::time_point time) {
  const auto millis =
      std::chrono::duration_cast<std::chrono::milliseconds>(time.time_since_epoch()).count();
  std::time_t seconds = static_cast<std::time_t>(millis / 1000);
  int ms = static_cast<int>(millis % 1000);
  if (ms < 0) {  // before 1970: keep the fraction positive
    ms += 1000;
    --seconds;
  }
  std::tm tm{};
  gmtime_r(&seconds, &tm);
  char text[32];
  const std::size_t n = std::strftime(text, sizeof text, "%Y-%m-%dT%H:%M:%S", &tm);
  char fraction[8];
  std::snprintf(fraction, sizeof fraction, ".%03dZ", ms);
  return std::string(text, n) + fraction;
}

}  // namespace provisio::app
