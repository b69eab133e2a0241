// pg_cluster start|stop DIR: the ctest fixture that gives every test process one PostgreSQL
// server, instead of one initdb per test.
#include <cstdio>
#include <exception>
#include <string>

#include "postgres_cluster.hpp"

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
