// bench_read_world URL [CONCURRENCY...]: reads the snapshot of the allowed roots acme and
// umbrella from a GitLab (gitlab-sim serving a reference world, usually with latency) at each
// concurrency given (default 1 4 16 32) and prints requests, seconds and requests per second.
#include <chrono>
#include <cstdio>
#include <string>
#include <vector>

#include "gitlab/client.hpp"
#include "gitlab/curl_transport.hpp"
#include "sync/snapshot_reader.hpp"

int main(int argc, char** argv) {
  using namespace provisio;
  if (argc < 2) {
    std::fprintf(stderr, "usage: bench_read_world URL [CONCURRENCY...]\n");
    return 2;
  }
  std::vector<int> levels;
  for (int i = 2; i < argc; ++i) levels.push_back(std::atoi(argv[i]));
  if (levels.empty()) levels = {1, 4, 16, 32};
  for (const int concurrency : levels) {
    gitlab::CurlTransport transport;
    SeededRandom random(1);
    gitlab::ClientOptions o;
    o.base_url = argv[1];
    o.token = "sim-admin-token";
    o.engine.concurrency = concurrency;
    gitlab::Client client(o, transport, random);
    const auto start = std::chrono::steady_clock::now();
    auto snapshot = sync::read_snapshot(client, {"acme", "umbrella"}, "2026-11-28");
    const double seconds =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    if (!snapshot) {
      std::fprintf(stderr, "concurrency %d: %s\n", concurrency, snapshot.error().message.c_str());
      return 1;
    }
    const auto requests = client.counters().total_requests();
    std::printf("concurrency %2d: %lld requests in %7.2f s = %7.1f requests/s (retries %lld)\n",
                concurrency, static_cast<long long>(requests), seconds,
                static_cast<double>(requests) / seconds,
                static_cast<long long>(client.counters().retries));
    std::fflush(stdout);
  }
  return 0;
}
