// bench_json_parse PAGE...: how fast nlohmann::json (the parser the GitLab client uses) parses
// GitLab answers alone, into its document and nothing more. bench/scaling.sh saves a sample of
// gitlab-sim's pages and compares a dry run's local work with the time parsing the bytes that
// run read would take: targets.md's "local work ≤ 2 × the time to parse the JSON bytes alone".
#include <chrono>
#include <cstdio>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>
#include <string>
#include <vector>

int main(int argc, char** argv) {
  if (argc < 2) {
    std::fprintf(stderr, "usage: bench_json_parse PAGE...\n");
    return 2;
  }
  std::vector<std::string> pages;
  std::size_t bytes = 0;
  for (int i = 1; i < argc; ++i) {
    std::ifstream in(argv[i], std::ios::binary);
    std::ostringstream text;
    text << in.rdbuf();
    if (!in && !in.eof()) {
      std::fprintf(stderr, "cannot read %s\n", argv[i]);
      return 1;
    }
    pages.push_back(text.str());
    bytes += pages.back().size();
  }
  // Each page once per round, rounds until at least two seconds have passed.
  const auto start = std::chrono::steady_clock::now();
  std::size_t rounds = 0, items = 0;
  double seconds = 0;
  do {
    for (const std::string& page : pages) items += nlohmann::json::parse(page).size();
    ++rounds;
    seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  } while (seconds < 2.0);
  const double mb = static_cast<double>(bytes * rounds) / 1e6;
  std::printf("json parse: %zu pages, %zu bytes, %zu rounds, %zu items: %.1f MB/s\n", pages.size(),
              bytes, rounds, items, mb / seconds);
  return 0;
}
