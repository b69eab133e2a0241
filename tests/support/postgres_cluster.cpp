#include "postgres_cluster.hpp"

#include <arpa/inet.h>
#include <glob.h>
#include <netinet/in.h>
#include <pwd.h>
#include <soci/postgresql/soci-postgresql.h>
#include <soci/soci.h>
#include <sys/socket.h>
#include <unistd.h>

#include <array>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <stdexcept>
#include <thread>

namespace provisio::testing {
namespace fs = std::filesystem;

namespace {

// Runs a shell command, returning its exit status and combined output.
std::pair<int, std::string> run(const std::string& command) {
  std::string out;
  std::FILE* p = ::popen((command + " 2>&1").c_str(), "r");
  if (p == nullptr) return {-1, "popen failed"};
  std::array<char, 4096> buf{};
  while (std::fgets(buf.data(), buf.size(), p) != nullptr) out += buf.data();
  const int status = ::pclose(p);
  return {WIFEXITED(status) ? WEXITSTATUS(status) : -1, out};
}

std::string find_bin_dir() {
  glob_t g{};
  std::string found;
  if (::glob("/usr/lib/postgresql/*/bin/initdb", 0, nullptr, &g) == 0 && g.gl_pathc > 0) {
    found = fs::path(g.gl_pathv[g.gl_pathc - 1]).parent_path().string();
  }
  ::globfree(&g);
  if (found.empty()) {
    throw std::runtime_error(
        "PostgreSQL's server binaries (initdb) are not installed: run scripts/bootstrap, or set "
        "PROVISIO_TEST_PG=0 to turn the PostgreSQL tests off.");
  }
  return found;
}

// As root, commands run as the postgres user; as anyone else, as themselves.
std::string as_server_user(const std::string& command) {
  if (::geteuid() != 0) return command;
  return "runuser -u postgres -- " + command;
}

}  // namespace

int free_loopback_port() {
  const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  addr.sin_port = 0;
  socklen_t len = sizeof addr;
  if (::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0 ||
      ::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len) != 0) {
    ::close(fd);
    throw std::runtime_error("cannot find a free loopback port");
  }
  const int port = ntohs(addr.sin_port);
  ::close(fd);
  return port;
}

std::string make_temp_dir(const std::string& prefix) {
  std::string pattern = (fs::temp_directory_path() / (prefix + "XXXXXX")).string();
  if (::mkdtemp(pattern.data()) == nullptr) throw std::runtime_error("mkdtemp failed");
  return pattern;
}

PostgresCluster::PostgresCluster(std::string dir) : dir_(std::move(dir)), bin_(find_bin_dir()) {
  if (dir_.empty()) {
    dir_ = make_temp_dir("provisio-pg-");
  } else {
    fs::remove_all(dir_);
    fs::create_directories(dir_);
  }
  if (::geteuid() == 0) {
    const passwd* pw = ::getpwnam("postgres");
    if (pw == nullptr) throw std::runtime_error("the postgres user does not exist");
    if (::chown(dir_.c_str(), pw->pw_uid, pw->pw_gid) != 0) {
      throw std::runtime_error("cannot give " + dir_ + " to the postgres user");
    }
  }
  const std::string data = dir_ + "/data";
  auto [rc, out] = run(
      as_server_user(bin_ + "/initdb -D " + data + " -U postgres --auth=trust -E UTF8 --no-sync"));
  if (rc != 0) throw std::runtime_error("initdb failed:\n" + out);
  // Several tries in case another process takes the port between choosing and binding it.
  for (int attempt = 0; attempt < 5 && !running_; ++attempt) {
    port_ = free_loopback_port();
    auto [rc2, out2] =
        run(as_server_user(bin_ + "/pg_ctl -D " + data + " -l " + dir_ +
                           "/server.log -w -t 30 -o \"-p " + std::to_string(port_) + " -k " + dir_ +
                           " -c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off"
                           " -c full_page_writes=off -c max_connections=200\" start"));
    running_ = rc2 == 0;
    if (running_) {
      std::FILE* f = std::fopen((dir_ + "/port").c_str(), "w");
      if (f != nullptr) {
        std::fprintf(f, "%d\n", port_);
        std::fclose(f);
      }
    }
    if (!running_ && attempt == 4) {
      throw std::runtime_error("PostgreSQL did not start:\n" + out2 +
                               run("cat " + dir_ + "/server.log").second);
    }
  }
}

PostgresCluster::~PostgresCluster() {
  if (!owned_) return;
  if (running_) run(as_server_user(bin_ + "/pg_ctl -D " + dir_ + "/data -m immediate -w stop"));
  std::error_code ec;
  fs::remove_all(dir_, ec);
}

std::string PostgresCluster::create_database(const std::string& name) {
  const std::string base = "postgresql://postgres@127.0.0.1:" + std::to_string(port_);
  {
    soci::session admin(*soci::factory_postgresql(), conninfo("postgres"));
    admin << "DROP DATABASE IF EXISTS " + name;
    admin << "CREATE DATABASE " + name + " TEMPLATE template0";
  }
  return base + "/" + name;
}

std::unique_ptr<PostgresCluster> PostgresCluster::attach(const std::string& dir) {
  std::FILE* f = std::fopen((dir + "/port").c_str(), "r");
  int port = 0;
  if (f == nullptr || std::fscanf(f, "%d", &port) != 1) {
    if (f != nullptr) std::fclose(f);
    throw std::runtime_error("no running PostgreSQL test cluster in " + dir +
                             " (the ctest fixture pg_cluster_start did not run or failed)");
  }
  std::fclose(f);
  std::unique_ptr<PostgresCluster> c(new PostgresCluster(dir, port));
  c->owned_ = false;
  c->running_ = true;
  return c;
}

void PostgresCluster::stop_in(const std::string& dir) {
  std::unique_ptr<PostgresCluster> c = attach(dir);
  c->bin_ = find_bin_dir();
  c->owned_ = true;
}

std::string PostgresCluster::conninfo(const std::string& database) const {
  return "host=127.0.0.1 port=" + std::to_string(port_) + " user=postgres dbname=" + database;
}

bool PostgresCluster::disabled() {
  const char* v = std::getenv("PROVISIO_TEST_PG");
  return v != nullptr && std::string(v) == "0";
}

PostgresCluster* PostgresCluster::shared() {
  if (disabled()) return nullptr;
  // Destroyed at exit, which stops the server.
  static const std::unique_ptr<PostgresCluster> cluster = [] {
    const char* dir = std::getenv("PROVISIO_TEST_PG_DIR");
    if (dir != nullptr && *dir != '\0') return attach(dir);
    return std::make_unique<PostgresCluster>();
  }();
  return cluster.get();
}

}  // namespace provisio::testing
