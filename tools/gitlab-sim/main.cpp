// gitlab-sim: `serve` a world over HTTP on 127.0.0.1, or `generate` one. See README.md.

#include <signal.h>

#include <CLI/CLI.hpp>
#include <chrono>
#include <cstdio>
#include <iostream>

#include "generator.hpp"
#include "http/server.hpp"
#include "simulator.hpp"
#include "world_json.hpp"
#include "world_variants.hpp"

namespace {

using namespace provisio;
using namespace provisio::sim;

struct ServeArgs {
  std::string world;
  int port = 0;
  std::int64_t latency_ms = 0;
  std::int64_t rate_limit = 0;
  std::int64_t rate_limit_period = 60;
  double failure_rate = 0;
  std::uint64_t seed = 1;
  std::vector<std::string> failure_kinds{"500", "502", "timeout", "truncated"};
  std::int64_t timeout_ms = 60000;
  std::vector<std::string> fail_paths;
  std::string hook_url;
  std::string hook_secret;
  std::vector<std::string> hook_kinds{"system", "group"};
  std::string profile;
};

int serve(const ServeArgs& args) {
  // Block the stop signals in every thread; the main thread waits for them with sigwait.
  sigset_t stop_signals;
  sigemptyset(&stop_signals);
  sigaddset(&stop_signals, SIGTERM);
  sigaddset(&stop_signals, SIGINT);
  pthread_sigmask(SIG_BLOCK, &stop_signals, nullptr);

  const auto started = std::chrono::steady_clock::now();
  auto world = read_world_file(args.world);
  if (!world) {
    std::cerr << "gitlab-sim: " << world.error().message << "\n";
    return 2;
  }
  const auto loaded = std::chrono::steady_clock::now();
  std::cerr << "gitlab-sim: loaded " << args.world << " (" << world->users().size() << " users, "
            << world->groups().size() << " groups, " << world->projects().size() << " projects) in "
            << std::chrono::duration_cast<std::chrono::milliseconds>(loaded - started).count()
            << " ms\n";

  SimulatorOptions options;
  FaultConfig& f = options.faults;
  f.latency = std::chrono::milliseconds(args.latency_ms);
  f.rate_limit = args.rate_limit;
  f.rate_limit_period = std::chrono::seconds(args.rate_limit_period);
  f.failure_rate = args.failure_rate;
  f.seed = args.seed;
  f.failure_kinds = args.failure_kinds;
  f.timeout_delay = std::chrono::milliseconds(args.timeout_ms);
  f.fail_paths = args.fail_paths;
  if (!args.profile.empty()) {
    auto profiled = with_profile(f, args.profile);
    if (!profiled) {
      std::cerr << "gitlab-sim: " << profiled.error().message << "\n";
      return 2;
    }
    f = std::move(*profiled);
  }
  if (const Status s = apply_json(f, to_json(f)); !s) {  // validates the ranges
    std::cerr << "gitlab-sim: " << s.error().message << "\n";
    return 2;
  }
  options.hook_url = args.hook_url;
  options.hook_secret = args.hook_secret;
  options.hook_kinds = args.hook_kinds;
  Simulator simulator(std::move(*world), std::move(options));

  http::ServerOptions server_options;
  server_options.bind_address = "127.0.0.1";
  server_options.port = static_cast<std::uint16_t>(args.port);
  // A "timeout" fault holds an answer for a minute; the write itself must still be bounded.
  server_options.write_timeout = std::chrono::seconds(30);
  http::Server server(server_options, simulator.router());
  const auto port = server.start();
  if (!port) {
    std::cerr << "gitlab-sim: " << port.error().message << "\n";
    return 1;
  }
  std::cout << "gitlab-sim listening on http://127.0.0.1:" << *port << std::endl;

  int signal = 0;
  sigwait(&stop_signals, &signal);
  std::cerr << "gitlab-sim: stopping\n";
  server.stop();
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"gitlab-sim: a GitLab REST API simulator"};
  app.require_subcommand(1);

  ServeArgs serve_args;
  CLI::App* serve_cmd = app.add_subcommand("serve", "Serve a world on 127.0.0.1");
  serve_cmd->add_option("--world", serve_args.world, "World file (JSON)")->required();
  serve_cmd->add_option("--port", serve_args.port, "Port; 0 picks a free one and prints it")
      ->check(CLI::Range(0, 65535));
  serve_cmd->add_option("--latency-ms", serve_args.latency_ms, "Delay of every API answer");
  serve_cmd->add_option("--rate-limit", serve_args.rate_limit, "Requests per period (0: none)");
  serve_cmd->add_option("--rate-limit-period", serve_args.rate_limit_period,
                        "Rate limit window in seconds");
  serve_cmd->add_option("--profile", serve_args.profile,
                        "gitlab.com: GitLab.com's published rate limits (README.md)");
  serve_cmd->add_option("--failure-rate", serve_args.failure_rate,
                        "Fraction of requests that fail (0..1)");
  serve_cmd->add_option("--seed", serve_args.seed, "Seed of the failure sequence");
  serve_cmd->add_option("--failure-kinds", serve_args.failure_kinds,
                        "Failures to draw from: 500 502 timeout truncated");
  serve_cmd->add_option("--timeout-ms", serve_args.timeout_ms,
                        "How long a 'timeout' failure holds its answer");
  serve_cmd->add_option("--fail-path", serve_args.fail_paths,
                        "A request path that always fails with 500 ('*' wildcard); repeatable");
  serve_cmd->add_option("--hook-url", serve_args.hook_url, "Where hooks are posted");
  serve_cmd->add_option("--hook-secret", serve_args.hook_secret, "X-Gitlab-Token of hooks");
  serve_cmd->add_option("--hook-kinds", serve_args.hook_kinds,
                        "Hooks a change emits: system and/or group");

  GeneratorOptions gen;
  std::string preset_name;
  std::string output;
  CLI::App* gen_cmd = app.add_subcommand("generate", "Generate a deterministic world file");
  gen_cmd->add_option("--preset", preset_name, "S, M or L (other options override it)")
      ->check(CLI::IsMember({"S", "M", "L"}));
  auto* users = gen_cmd->add_option("--users", gen.users, "Users");
  auto* groups = gen_cmd->add_option("--groups", gen.groups, "Groups, the three roots included");
  auto* depth = gen_cmd->add_option("--depth", gen.depth, "Levels of groups, roots included");
  auto* projects = gen_cmd->add_option("--projects", gen.projects, "Projects");
  auto* seed = gen_cmd->add_option("--seed", gen.seed, "Seed");
  gen_cmd->add_option("--output", output, "Output file")->required();
  bool no_roles = false;
  gen_cmd->add_flag("--without-custom-roles", no_roles,
                    "No custom roles: every membership keeps its level and no role");

  CLI11_PARSE(app, argc, argv);

  if (serve_cmd->parsed()) return serve(serve_args);

  GeneratorOptions options;
  if (!preset_name.empty()) options = *preset(preset_name);
  if (users->count()) options.users = gen.users;
  if (groups->count()) options.groups = gen.groups;
  if (depth->count()) options.depth = gen.depth;
  if (projects->count()) options.projects = gen.projects;
  if (seed->count()) options.seed = gen.seed;
  if (preset_name.empty()) options.large_shape = options.groups >= 1000;
  auto world = generate_world(options);
  if (!world) {
    std::cerr << "gitlab-sim: " << world.error().message << "\n";
    return 2;
  }
  if (no_roles) {
    world = without_custom_roles(*world);
    if (!world) {
      std::cerr << "gitlab-sim: " << world.error().message << "\n";
      return 2;
    }
  }
  if (const Status s = write_world_file(*world, output); !s) {
    std::cerr << "gitlab-sim: " << s.error().message << "\n";
    return 1;
  }
  return 0;
}
