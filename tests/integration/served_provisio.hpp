#pragma once
// `provisio serve` as a test child: started on a free loopback port with a given data directory,
// its stdout read up to the "listening" announcement, stopped with SIGTERM.

#include <chrono>
#include <csignal>
#include <string>
#include <vector>

#include "child_process.hpp"

namespace provisio::testing {

class ServedProvisio {
 public:
  ServedProvisio(const std::string& binary, const std::string& data_dir,
                 const std::string& stderr_path, const EnvChanges& env,
                 std::vector<std::string> extra_args = {})
      : stderr_path_(stderr_path),
        child_(binary, args(data_dir, std::move(extra_args)), env, stderr_path) {
    static const std::string kListening = "Provisio is listening on http://127.0.0.1:";
    // Generous: a first start hashes a password (argon2id) and may run under sanitizers.
    while (auto line = child_.read_line(std::chrono::seconds(60))) {
      lines_.push_back(*line);
      if (line->rfind(kListening, 0) == 0) {
        port_ = static_cast<std::uint16_t>(std::stoi(line->substr(kListening.size())));
        return;
      }
    }
  }

  std::uint16_t port() const { return port_; }  // 0: it never announced itself
  const std::vector<std::string>& lines() const { return lines_; }
  std::string stderr_text() const { return read_file(stderr_path_); }

  // SIGTERM, then the exit code (nothing if it did not exit in time).
  std::optional<int> terminate() {
    child_.send_signal(SIGTERM);
    return child_.wait(std::chrono::seconds(20));
  }

  // SIGKILL: the process ends wherever it is, as in a crash or an OOM kill.
  void kill() {
    child_.send_signal(SIGKILL);
    child_.wait(std::chrono::seconds(20));
  }
  pid_t pid() const { return child_.pid(); }

  // The exit code when it ended by itself (a refusal to start), waiting up to `timeout`.
  std::optional<int> wait(std::chrono::seconds timeout) { return child_.wait(timeout); }

 private:
  static std::vector<std::string> args(const std::string& data_dir,
                                       std::vector<std::string> extra) {
    std::vector<std::string> out{"serve",     "--port",     "0",     "--bind",
                                 "127.0.0.1", "--data-dir", data_dir};
    out.insert(out.end(), extra.begin(), extra.end());
    return out;
  }

  std::string stderr_path_;
  ChildProcess child_;
  std::vector<std::string> lines_;
  std::uint16_t port_ = 0;
};

}  // namespace provisio::testing
