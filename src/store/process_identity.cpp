#include "store/process_identity.hpp"

#include <signal.h>
#include <unistd.h>

#include <cerrno>
#include <charconv>
#include <cstdlib>
#include <fstream>
#include <optional>
#include <sstream>
#include <vector>

namespace provisio::store {
namespace {

// The kernel's boot id (a UUID, new at every boot), or the test's stand-in.
std::string boot_id() {
  if (const char* fake = std::getenv("PROVISIO_TEST_BOOT_ID"); fake != nullptr && *fake != '\0') {
    return fake;
  }
  std::ifstream in("/proc/sys/kernel/random/boot_id");
  std::string id;
  std::getline(in, id);
  return id;
}

// The inode number of this process's PID namespace: "4026531836" of "pid:[4026531836]".
std::string pid_namespace() {
  char link[64] = {};
  const ssize_t n = ::readlink("/proc/self/ns/pid", link, sizeof link - 1);
  if (n <= 0) return {};
  const std::string_view text(link, static_cast<std::size_t>(n));
  const auto open = text.find('[');
  const auto close = text.find(']');
  if (open == std::string_view::npos || close == std::string_view::npos || close <= open + 1) {
    return {};
  }
  return std::string(text.substr(open + 1, close - open - 1));
}

struct ProcessStat {
  char state = '?';
  std::string start;  // clock ticks after boot, as the kernel writes it
};

// The state and start time of `pid` from /proc/<pid>/stat; nothing when it cannot be read.
std::optional<ProcessStat> read_stat(pid_t pid) {
  std::ifstream in("/proc/" + std::to_string(pid) + "/stat");
  std::string line;
  if (!std::getline(in, line)) return std::nullopt;
  // "pid (comm) state ppid ...": comm may hold spaces and parentheses, so fields are counted
  // from the last ')'. The state is field 3 and the start time field 22.
  const auto paren = line.rfind(')');
  if (paren == std::string::npos) return std::nullopt;
  std::istringstream fields(line.substr(paren + 1));
  std::vector<std::string> f;
  for (std::string field; fields >> field && f.size() < 20;) f.push_back(field);
  if (f.size() < 20 || f[0].size() != 1) return std::nullopt;
  return ProcessStat{f[0][0], f[19]};
}

struct Identity {
  std::string boot;
  std::string pid_namespace;
  pid_t pid = 0;
  std::string start;
};

std::optional<Identity> parse(std::string_view text) {
  std::istringstream in{std::string(text)};
  Identity id;
  std::string pid;
  if (!(in >> id.boot >> id.pid_namespace >> pid >> id.start)) return std::nullopt;
  const auto [end, ec] = std::from_chars(pid.data(), pid.data() + pid.size(), id.pid);
  if (ec != std::errc() || end != pid.data() + pid.size() || id.pid <= 0) return std::nullopt;
  return id;
}

std::string identity_of(pid_t pid) {
  const std::string boot = boot_id();
  const std::string ns = pid_namespace();
  const auto stat = read_stat(pid);
  if (boot.empty() || ns.empty() || !stat || stat->state == 'Z' || stat->state == 'X') return {};
  return boot + " " + ns + " " + std::to_string(pid) + " " + stat->start;
}

}  // namespace

const std::string& this_process() {
  // Computed once: a Provisio process never forks without exec.
  static const std::string kSelf = identity_of(::getpid());
  return kSelf;
}

std::string process_identity(pid_t pid) { return identity_of(pid); }

bool process_is_gone(std::string_view identity) {
  const auto id = parse(identity);
  if (!id || id->boot != boot_id() || id->pid_namespace != pid_namespace()) return false;
  if (const auto stat = read_stat(id->pid)) {
    // Ended but not yet reaped by its parent, or a later process under a reused pid.
    return stat->state == 'Z' || stat->state == 'X' || stat->start != id->start;
  }
  // /proc may hide other users' processes (hidepid): only "no such process" means gone.
  return ::kill(id->pid, 0) != 0 && errno == ESRCH;
}

}  // namespace provisio::store
