#pragma once
// A throwaway PostgreSQL server for tests: initdb in a temporary directory, started on a free
// loopback port, stopped and removed by the destructor. As root, the server runs as the
// `postgres` user (PostgreSQL refuses to run as root).

#include <memory>
#include <string>

namespace provisio::testing {

class PostgresCluster {
 public:
  // Starts a cluster in a new temporary directory, or in `dir` when given; throws
  // std::runtime_error with initdb's or postgres' output on failure.
  explicit PostgresCluster(std::string dir = "");
  // Uses a cluster that another process started in `dir` (the ctest fixture); does not stop it.
  static std::unique_ptr<PostgresCluster> attach(const std::string& dir);
  // Stops the cluster started in `dir` by another process and removes the directory.
  static void stop_in(const std::string& dir);
  // Leaves the server running when this object is destroyed.
  void detach() { owned_ = false; }
  ~PostgresCluster();
  PostgresCluster(const PostgresCluster&) = delete;
  PostgresCluster& operator=(const PostgresCluster&) = delete;

  int port() const { return port_; }
  // Creates an empty database and returns its URL (postgresql://postgres@127.0.0.1:PORT/NAME).
  std::string create_database(const std::string& name);
  // libpq's keyword form for a database of this cluster, for plain SOCI sessions in tests.
  std::string conninfo(const std::string& database) const;

  // The cluster shared by every test of this process: the ctest fixture's when
  // PROVISIO_TEST_PG_DIR names it, else one started on first use. Null when PROVISIO_TEST_PG=0;
  // throws when it cannot start (PostgreSQL tests never skip silently).
  static PostgresCluster* shared();
  static bool disabled();

 private:
  std::string dir_;
  std::string bin_;
  int port_ = 0;
  bool running_ = false;
  bool owned_ = true;
  PostgresCluster(std::string dir, int port) : dir_(std::move(dir)), port_(port) {}
};

// A free TCP port on 127.0.0.1 (bound to port 0 and released).
int free_loopback_port();

// A fresh temporary directory; removed by the caller.
std::string make_temp_dir(const std::string& prefix);

}  // namespace provisio::testing
