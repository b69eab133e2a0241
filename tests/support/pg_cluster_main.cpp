// pg_cluster start|stop DIR: the ctest fixture that gives every test process one PostgreSQL
// server, instead of one initdb per test.
#include <csignal>
#include <cstdio>
#include <exception>
#include <string>

#include "postgres_cluster.hpp"

namespace {

// True when a cluster started in `dir` is still running: its postmaster's pid is alive.
bool running_in(const std::string& dir) {
  std::FILE* f = std::fopen((dir + "/data/postmaster.pid").c_str(), "r");
  if (f == nullptr) return false;
  long pid = 0;
  const bool read = std::fscanf(f, "%ld", &pid) == 1;
  std::fclose(f);
  return read && pid > 0 && ::kill(static_cast<pid_t>(pid), 0) == 0;
}

}  // namespace

int main(int argc, char** argv) {
  using provisio::testing::PostgresCluster;
  if (argc != 3) {
    std::fprintf(stderr, "usage: pg_cluster start|stop DIR\n");
    return 2;
  }
  const std::string command = argv[1];
  const std::string dir = argv[2];
  if (PostgresCluster::disabled()) {
    std::printf("PROVISIO_TEST_PG=0: no PostgreSQL cluster\n");
    return 0;
  }
  try {
    // `ctest --repeat` runs the fixtures again: a second start keeps the running cluster (starting
    // anew would delete its data under it), a second stop has nothing left to stop. A start that
    // failed is reported by pg_cluster_start itself.
    if (command == "start" && running_in(dir)) {
      std::printf("PostgreSQL test cluster already running in %s\n", dir.c_str());
      return 0;
    }
    if (command == "stop" && !running_in(dir)) {
      std::printf("no PostgreSQL test cluster running in %s: nothing to stop\n", dir.c_str());
      return 0;
    }
    if (command == "start") {
      PostgresCluster cluster(dir);
      cluster.detach();
      std::printf("PostgreSQL test cluster on 127.0.0.1:%d in %s\n", cluster.port(), dir.c_str());
      return 0;
    }
    if (command == "stop") {
      PostgresCluster::stop_in(dir);
      return 0;
    }
  } catch (const std::exception& e) {
    std::fprintf(stderr, "%s\n", e.what());
    return 1;
  }
  std::fprintf(stderr, "unknown command %s\n", command.c_str());
  return 2;
}
