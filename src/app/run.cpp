#include "app/run.hpp"

#include <spdlog/spdlog.h>

#include <CLI/CLI.hpp>
#include <exception>
#include <functional>
#include <iostream>
#include <list>
#include <optional>
#include <string>
#include <typeinfo>
#include <vector>

#include "app/commands.hpp"
#include "app/config_file.hpp"
#include "app/environment.hpp"
#include "app/logging.hpp"
#include "app/settings.hpp"
#include "http/version.hpp"
#include "store/database_url.hpp"

namespace provisio::app {
namespace {

// The options every subcommand takes, so that each one's --help lists them.
struct CommonOptions {
  std::string config, db, port, data_dir, server_url, bind, log_level;
  CLI::Option* config_option = nullptr;
  std::vector<std::pair<CLI::Option*, std::optional<std::string>*>> bindings;
  FlagValues flags;

  void add_to(CLI::App& command) {
    config_option =
        command.add_option("--config", config, "TOML configuration file")->type_name("FILE");
    const auto add = [&](const char* name, std::string& text, std::optional<std::string>& target,
                         const char* type, const char* help) {
      bindings.emplace_back(command.add_option(name, text, help)->type_name(type), &target);
    };
    add("--db", db, flags.db, "URL",
        "Database URL: sqlite:PATH or postgresql://user:pass@host:port/db "
        "[default: sqlite:<data dir>/provisio.db; env PROVISIO_DB]");
    add("--port", port, flags.port, "N",
        "HTTP port, 0 for any free port [default: 9000; env PROVISIO_PORT]");
    add("--data-dir", data_dir, flags.data_dir, "DIR",
        "Data directory (key file, SQLite database) [default: data; env PROVISIO_DATA_DIR]");
    add("--server-url", server_url, flags.server_url, "URL",
        "The address users reach the server at [env PROVISIO_SERVER_URL]");
    add("--bind", bind, flags.bind, "ADDR",
        "Address to listen on [default: 0.0.0.0; env PROVISIO_BIND]");
    add("--log-level", log_level, flags.log_level, "LEVEL",
        "trace, debug, info, warn or error [default: info; env PROVISIO_LOG_LEVEL]");
  }

  // Copies the options given on the command line into flags.
  void collect() {
    for (auto& [option, target] : bindings) {
      if (option->count() > 0) *target = option->as<std::string>();
    }
  }
};

spdlog::level::level_enum to_spdlog_level(const std::string& level) {
  if (level == "trace") return spdlog::level::trace;
  if (level == "debug") return spdlog::level::debug;
  if (level == "warn") return spdlog::level::warn;
  if (level == "error") return spdlog::level::err;
  return spdlog::level::info;
}

int usage_error(const std::string& message) {
  std::cerr << "provisio: " << message << "\n";
  return kExitUsage;
}

int run_unguarded(int argc, char** argv) {
  CLI::App app{
      "Provisio: mirrors GitLab users, groups and permissions into a SonarQube-compatible "
      "server."};
  app.name("provisio");
  app.set_version_flag("--version", std::string(http::server_version()));
  app.require_subcommand(1);

  struct Command {
    CLI::App* app;
    CommonOptions options;
    std::function<int(const Settings&)> run;
  };
  std::list<Command> commands;  // stable addresses: the options bind to their members
  const auto add_command = [&](const char* name, const char* help,
                               std::function<int(const Settings&)> run) {
    Command& command = commands.emplace_back();
    command.app = app.add_subcommand(name, help);
    command.options.add_to(*command.app);
    command.run = std::move(run);
  };
  add_command("serve", "Run the server until SIGTERM or SIGINT", [](const Settings& settings) {
    return run_serve(settings, process_getenv("PROVISIO_ADMIN_PASSWORD"));
  });
  add_command("migrate", "Apply the schema migrations and exit", run_migrate);
  add_command("export", "Print the authorization state as JSON", run_export);

  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    const int code = app.exit(e);  // prints the help, the version or the error
    return code == 0 ? kExitOk : kExitUsage;
  }

  for (Command& command : commands) {
    if (!command.app->parsed()) continue;
    command.options.collect();
    FileValues file;
    if (command.options.config_option->count() > 0) {
      auto read = read_config_file(command.options.config);
      if (!read) return usage_error(read.error().message);
      file = std::move(*read);
    }
    auto settings = resolve_settings(file, read_environment(), command.options.flags);
    if (!settings) return usage_error(settings.error().message);
    if (auto url = store::parse_database_url(settings->db); !url) {
      return usage_error(url.error().message);
    }
    setup_logging(to_spdlog_level(settings->log_level));
    return command.run(*settings);
  }
  return usage_error("a command is required (serve, migrate or export); see --help.");
}

}  // namespace

int run(int argc, char** argv) {
  try {
    return run_unguarded(argc, argv);
  } catch (const std::exception& e) {
    // Not the exception's text: a library's message may quote a URL with its password.
    std::cerr << "provisio: internal error (" << typeid(e).name() << ")\n";
  } catch (...) {
    std::cerr << "provisio: internal error\n";
  }
  return kExitFailure;
}

}  // namespace provisio::app
