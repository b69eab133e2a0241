#include "store/apply_failpoint.hpp"

#include <signal.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <charconv>
#include <cstdlib>
#include <limits>
#include <optional>
#include <string>
#include <string_view>

namespace provisio::store::failpoint {
namespace {

std::optional<std::size_t> row_setting(const char* name) {
  const char* text = std::getenv(name);
  if (text == nullptr) return std::nullopt;
  const std::string_view s(text);
  std::size_t n = 0;
  const auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), n);
  if (ec != std::errc() || end != s.data() + s.size() || n == 0) return std::nullopt;
  return n;
}

struct Settings {
  std::optional<std::size_t> kill_at = row_setting("PROVISIO_TEST_KILL_AT_ROW");
  std::optional<std::size_t> stop_at = row_setting("PROVISIO_TEST_STOP_AT_ROW");
  bool kill_after_commit = std::getenv("PROVISIO_TEST_KILL_AFTER_COMMIT") != nullptr;
};

const Settings& settings() {
  static const Settings kSettings;
  return kSettings;
}

std::atomic<bool> stopped{false};  // the stop failpoint fires once per process
thread_local bool in_apply = false;
thread_local std::size_t written = 0;

// One line on stderr, written directly: the process is about to end, so nothing buffered.
void say(const std::string& line) {
  const std::string text = "provisio: test failpoint: " + line + "\n";
  std::size_t done = 0;
  while (done < text.size()) {
    const ssize_t n = ::write(STDERR_FILENO, text.data() + done, text.size() - done);
    if (n <= 0) break;
    done += static_cast<std::size_t>(n);
  }
}

}  // namespace

ApplyScope::ApplyScope() {
  in_apply = true;
  written = 0;
}

ApplyScope::~ApplyScope() { in_apply = false; }

std::size_t rows_left() {
  const Settings& s = settings();
  std::size_t left = std::numeric_limits<std::size_t>::max();
  if (!in_apply) return left;
  if (s.kill_at && *s.kill_at > written) left = std::min(left, *s.kill_at - written);
  if (s.stop_at && !stopped && *s.stop_at > written) left = std::min(left, *s.stop_at - written);
  return left;
}

void wrote(std::size_t rows) {
  if (!in_apply) return;
  written += rows;
  const Settings& s = settings();
  if (s.kill_at && written >= *s.kill_at) {
    say("PROVISIO_TEST_KILL_AT_ROW: killing this process at row " + std::to_string(written) +
        " of an apply, inside its transaction");
    ::raise(SIGKILL);
  }
  if (s.stop_at && written >= *s.stop_at && !stopped.exchange(true)) {
    say("PROVISIO_TEST_STOP_AT_ROW: stopping this process at row " + std::to_string(written) +
        " of an apply, inside its transaction, until SIGCONT");
    ::raise(SIGSTOP);
  }
}

void committed() {
  if (!settings().kill_after_commit) return;
  say("PROVISIO_TEST_KILL_AFTER_COMMIT: killing this process after an apply's commit");
  ::raise(SIGKILL);
}

}  // namespace provisio::store::failpoint
