#pragma once
// A child process for tests: started with posix_spawn, its stdout read through a pipe line by
// line with a timeout, its stderr written to a file. The destructor kills a child still running.

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstring>
#include <fstream>
#include <map>
#include <optional>
#include <sstream>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

extern char** environ;

namespace provisio::testing {

// Variables to set (a value) or remove (nothing) in the child's environment. Every PROVISIO_*
// variable of the test's own environment is removed first, so the test decides them all.
using EnvChanges = std::map<std::string, std::optional<std::string>>;

class ChildProcess {
 public:
  // `stdin_path`: the file the child reads as its standard input.
  ChildProcess(const std::string& program, const std::vector<std::string>& args,
               const EnvChanges& env, const std::string& stderr_path,
               const std::string& stdin_path = "/dev/null") {
    int fds[2];
    if (pipe2(fds, O_CLOEXEC) != 0) throw std::runtime_error("pipe2 failed");
    stdout_fd_ = fds[0];

    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_addopen(&actions, 0, stdin_path.c_str(), O_RDONLY, 0);
    posix_spawn_file_actions_adddup2(&actions, fds[1], 1);
    posix_spawn_file_actions_addopen(&actions, 2, stderr_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC,
                                     0600);

    std::vector<std::string> argv_strings{program};
    argv_strings.insert(argv_strings.end(), args.begin(), args.end());
    std::vector<char*> argv;
    for (auto& a : argv_strings) argv.push_back(a.data());
    argv.push_back(nullptr);

    std::vector<std::string> env_strings;
    for (char** e = environ; *e != nullptr; ++e) {
      if (std::strncmp(*e, "PROVISIO_", 9) != 0) env_strings.emplace_back(*e);
    }
    for (const auto& [name, value] : env) {
      if (value) env_strings.push_back(name + "=" + *value);
    }
    std::vector<char*> envp;
    for (auto& e : env_strings) envp.push_back(e.data());
    envp.push_back(nullptr);

    const int rc = posix_spawn(&pid_, program.c_str(), &actions, nullptr, argv.data(), envp.data());
    posix_spawn_file_actions_destroy(&actions);
    close(fds[1]);
    if (rc != 0) {
      close(stdout_fd_);
      throw std::runtime_error("posix_spawn " + program + ": " + std::strerror(rc));
    }
  }

  ~ChildProcess() {
    if (!exit_status_) {
      kill(pid_, SIGKILL);
      int status = 0;
      waitpid(pid_, &status, 0);
    }
    close(stdout_fd_);
  }

  ChildProcess(const ChildProcess&) = delete;
  ChildProcess& operator=(const ChildProcess&) = delete;

  // The next line of stdout without its newline; nothing at end of output or after timeout.
  std::optional<std::string> read_line(std::chrono::milliseconds timeout) {
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    while (true) {
      const auto newline = pending_.find('\n');
      if (newline != std::string::npos) {
        std::string line = pending_.substr(0, newline);
        pending_.erase(0, newline + 1);
        return line;
      }
      if (eof_) return std::nullopt;
      const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
          deadline - std::chrono::steady_clock::now());
      if (left.count() <= 0) return std::nullopt;
      fill(left);
    }
  }

  // Everything left on stdout until the child closes it (or timeout).
  std::string read_rest(std::chrono::milliseconds timeout) {
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    while (!eof_) {
      const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
          deadline - std::chrono::steady_clock::now());
      if (left.count() <= 0) break;
      fill(left);
    }
    return std::exchange(pending_, std::string());
  }

  void send_signal(int signal) { kill(pid_, signal); }
  pid_t pid() const { return pid_; }

  // The exit code, or 128 + the signal that ended it; nothing if still running after timeout.
  std::optional<int> wait(std::chrono::milliseconds timeout) {
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    while (!exit_status_) {
      int status = 0;
      const pid_t r = waitpid(pid_, &status, WNOHANG);
      if (r == pid_) {
        exit_status_ = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
        break;
      }
      if (std::chrono::steady_clock::now() >= deadline) break;
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    return exit_status_;
  }

 private:
  void fill(std::chrono::milliseconds timeout) {
    pollfd p{stdout_fd_, POLLIN, 0};
    if (poll(&p, 1, static_cast<int>(timeout.count())) <= 0) return;
    char chunk[4096];
    const ssize_t n = read(stdout_fd_, chunk, sizeof chunk);
    if (n <= 0) {
      eof_ = true;
      return;
    }
    pending_.append(chunk, static_cast<std::size_t>(n));
  }

  pid_t pid_ = -1;
  int stdout_fd_ = -1;
  std::string pending_;
  bool eof_ = false;
  std::optional<int> exit_status_;
};

struct Completed {
  int exit_code = -1;  // -1: did not finish in time (and was killed)
  std::string out;
  std::string err;
};

inline std::string read_file(const std::string& path) {
  std::ifstream in(path);
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

// Runs a command to its end, with a bound on the time it may take.
inline Completed run_command(const std::string& program, const std::vector<std::string>& args,
                             const EnvChanges& env, const std::string& stderr_path,
                             std::chrono::milliseconds timeout = std::chrono::seconds(60),
                             const std::string& stdin_path = "/dev/null") {
  Completed out;
  {
    ChildProcess child(program, args, env, stderr_path, stdin_path);
    out.out = child.read_rest(timeout);
    out.exit_code = child.wait(std::chrono::seconds(5)).value_or(-1);
  }
  out.err = read_file(stderr_path);
  return out;
}

}  // namespace provisio::testing
