#pragma once
// A child process that sleeps until the test ends it: a stand-in for another node's process on
// this machine, whose identity (store/process_identity.hpp) a test records on a task and whose
// death it then causes.

#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <stdexcept>
#include <string>

extern char** environ;

namespace provisio::testing {

class SleepingChild {
 public:
  SleepingChild() {
    char sleep[] = "sleep";
    char seconds[] = "600";
    char* argv[] = {sleep, seconds, nullptr};
    if (posix_spawnp(&pid_, "sleep", nullptr, nullptr, argv, environ) != 0) {
      throw std::runtime_error("cannot start sleep");
    }
  }
  ~SleepingChild() {
    if (!reaped_) {
      ::kill(pid_, SIGKILL);
      ::waitpid(pid_, nullptr, 0);
    }
  }
  SleepingChild(const SleepingChild&) = delete;
  SleepingChild& operator=(const SleepingChild&) = delete;

  pid_t pid() const { return pid_; }

  // SIGKILL, then waits until it has ended; reaped (gone from /proc) or left a zombie.
  void kill(bool reap = true) {
    ::kill(pid_, SIGKILL);
    if (reap) {
      ::waitpid(pid_, nullptr, 0);
      reaped_ = true;
    } else {
      siginfo_t info{};
      ::waitid(P_PID, static_cast<id_t>(pid_), &info, WEXITED | WNOWAIT);  // a zombie now
    }
  }

 private:
  pid_t pid_ = -1;
  bool reaped_ = false;
};

}  // namespace provisio::testing
