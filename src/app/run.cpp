#include "app/run.hpp"

#include <spdlog/spdlog.h>

#include <CLI/CLI.hpp>
#include <exception>
#include <functional>
#include <iostream>
#include <list>
#include <map>
#include <optional>
#include <string>
#include <typeinfo>
#include <vector>

#include "app/commands.hpp"
#include "app/config_file.hpp"
#include "app/environment.hpp"
#include "app/logging.hpp"
#include "app/settings.hpp"
#include "app/sync_commands.hpp"
#include "http/version.hpp"
#include "store/database_url.hpp"

namespace provisio::app {
namespace {

// The options every subcommand takes, so that each one's --help lists them.
struct CommonOptions {
  std::string config, db, port, data_dir, server_url, bind, log_level, ui_dir, trusted_proxies,
      max_connections, max_connections_per_address, gitlab_allow_http;
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
    add("--ui-dir", ui_dir, flags.ui_dir, "DIR",
        "The built web admin that serve serves [default: ui/dist; env PROVISIO_UI_DIR]");
    add("--trusted-proxies", trusted_proxies, flags.trusted_proxies, "LIST",
        "Proxies (addresses, CIDR networks) allowed to set X-Forwarded-For and "
        "X-Forwarded-Proto [default: none; env PROVISIO_TRUSTED_PROXIES]");
    add("--max-connections", max_connections, flags.max_connections, "N",
        "Connections at once, in all [default: 4096; env PROVISIO_MAX_CONNECTIONS]");
    add("--max-connections-per-address", max_connections_per_address,
        flags.max_connections_per_address, "N",
        "Connections at once from one client address [default: 256; env "
        "PROVISIO_MAX_CONNECTIONS_PER_ADDRESS]");
    add("--gitlab-allow-http", gitlab_allow_http, flags.gitlab_allow_http, "BOOL",
        "Accept http:// GitLab URLs to hosts other than loopback ones [default: false; env "
        "PROVISIO_GITLAB_ALLOW_HTTP]");
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
  // Registers a command under `parent` (the program, or a group such as `gitlab`).
  const auto add_command_to = [&](CLI::App& parent, const char* name, const char* help,
                                  std::function<int(const Settings&)> run) -> CLI::App& {
    Command& command = commands.emplace_back();
    command.app = parent.add_subcommand(name, help);
    command.options.add_to(*command.app);
    command.run = std::move(run);
    return *command.app;
  };
  const auto add_command = [&](const char* name, const char* help,
                               std::function<int(const Settings&)> run) -> CLI::App& {
    return add_command_to(app, name, help, std::move(run));
  };
  add_command("serve", "Run the server until SIGTERM or SIGINT", [](const Settings& settings) {
    return run_serve(settings, process_getenv("PROVISIO_ADMIN_PASSWORD"));
  });
  add_command("migrate", "Apply the schema migrations and exit", run_migrate);
  add_command("export", "Print the authorization state as JSON", run_export);
  std::string backup_file;
  add_command("backup", "Copy the SQLite database and its key file, safely while serving",
              [&](const Settings& s) { return run_backup(s, backup_file); })
      .add_option("--output", backup_file, "the backup file to write (and FILE.key)")
      ->required();
  add_command("restore", "Restore a backup into an empty data directory",
              [&](const Settings& s) { return run_restore(s, backup_file); })
      .add_option("--input", backup_file, "the backup file (FILE.key is read when present)")
      ->required();

  CLI::App& admin = *app.add_subcommand("admin", "Recovering access from the machine itself");
  admin.require_subcommand(1);
  ResetPasswordOptions reset_options;
  CLI::App& reset = add_command_to(
      admin, "reset-password",
      "A new password for a local user (the server may be running): printed once, or read from "
      "standard input; the user's sessions end",
      [&](const Settings& s) { return run_reset_password(s, reset_options); });
  reset.add_option("--login", reset_options.login, "the local user [default: admin]");
  reset.add_flag("--password-stdin", reset_options.password_stdin,
                 "read the new password from standard input instead of generating one");

  // Options of the provisioning commands: CLI11 writes into these; an option given on the
  // command line is copied into the optional that the command reads.
  struct Text {
    std::string value;
    CLI::Option* option = nullptr;
    std::optional<std::string> get() const {
      return option != nullptr && option->count() > 0 ? std::optional(value) : std::nullopt;
    }
  };
  std::map<std::string, Text> text;
  const auto text_option = [&](CLI::App& command, const std::string& name, const char* help) {
    Text& t = text[command.get_name() + name];
    t.option = command.add_option(name, t.value, help);
  };
  CLI::App& gitlab = *app.add_subcommand("gitlab", "The GitLab configuration");
  gitlab.require_subcommand(1);
  CLI::App& configure = add_command_to(
      gitlab, "configure", "Change the GitLab configuration (created when there is none)",
      [&](const Settings& s) {
        ConfigureOptions o;
        o.enabled = text["configure--enabled"].get();
        o.url = text["configure--url"].get();
        o.application_id = text["configure--application-id"].get();
        o.secret = text["configure--secret"].get();
        o.token = text["configure--token"].get();
        o.allowed_groups = text["configure--allowed-groups"].get();
        o.mode = text["configure--mode"].get();
        o.sync_groups = text["configure--sync-groups"].get();
        o.allow_signup = text["configure--allow-signup"].get();
        o.webhook_secret = text["configure--webhook-secret"].get();
        o.secret_file = text["configure--secret-file"].get();
        o.token_file = text["configure--token-file"].get();
        o.webhook_secret_file = text["configure--webhook-secret-file"].get();
        o.jit_privileged_groups = text["configure--jit-privileged-groups"].get();
        return run_gitlab_configure(s, o);
      });
  text_option(configure, "--enabled", "true or false");
  text_option(configure, "--url", "GitLab's address, e.g. https://gitlab.example.com");
  text_option(configure, "--application-id", "the OAuth application's id");
  text_option(configure, "--secret",
              "the OAuth application's secret (needed with --url); visible to `ps` and kept in "
              "shell history: prefer --secret-file");
  text_option(configure, "--secret-file",
              "read the OAuth application's secret from FILE ('-': standard input)");
  text_option(configure, "--token",
              "the provisioning token (read_api); visible to `ps`: prefer --token-file");
  text_option(configure, "--token-file",
              "read the provisioning token from FILE ('-': standard input)");
  text_option(configure, "--allowed-groups", "root-group slugs, comma-separated");
  text_option(configure, "--jit-privileged-groups",
              "groups holding global administrative permissions that Just-in-Time group sync "
              "may still join and leave, comma-separated (none by default)");
  text_option(configure, "--mode", "jit or auto");
  text_option(configure, "--sync-groups", "true or false: synchronize user groups at login");
  text_option(configure, "--allow-signup", "true or false: Just-in-Time sign-up");
  text_option(configure, "--webhook-secret",
              "the secret GitLab sends in X-Gitlab-Token; visible to `ps`: prefer "
              "--webhook-secret-file");
  text_option(configure, "--webhook-secret-file",
              "read the webhook secret from FILE ('-': standard input)");

  CLI::App& project = *app.add_subcommand("project", "Projects and their GitLab binding");
  project.require_subcommand(1);
  std::string project_key, project_name, visibility = "private", gitlab_project_id;
  CLI::App& create = add_command_to(project, "create", "Create a project", [&](const Settings& s) {
    return run_project_create(s, project_key, project_name, visibility);
  });
  create.add_option("--key", project_key, "the project key")->required();
  create.add_option("--name", project_name, "the project name")->required();
  create.add_option("--visibility", visibility, "public or private [default: private]");
  CLI::App& bind = add_command_to(
      project, "bind", "Bind a project to a GitLab project (queues its permission sync)",
      [&](const Settings& s) { return run_project_bind(s, project_key, gitlab_project_id); });
  bind.add_option("--key", project_key, "the project key")->required();
  bind.add_option("--gitlab-project-id", gitlab_project_id, "the GitLab project's numeric id")
      ->required();

  SyncCommandOptions sync_options;
  std::int64_t confirm_task = 0;
  CLI::Option* confirm_option = nullptr;
  CLI::App& sync_command = add_command("sync", "Run one full synchronization now, in this process",
                                       [&](const Settings& s) {
                                         if (confirm_option->count() > 0)
                                           sync_options.confirm = confirm_task;
                                         return run_sync(s, sync_options);
                                       });
  sync_command.add_flag("--dry-run", sync_options.dry_run, "print the plan; change nothing");
  sync_command.add_flag("--json", sync_options.json, "print JSON");
  confirm_option = sync_command.add_option("--confirm", confirm_task,
                                           "apply the plan the guard held back for this task");
  bool status_json = false;
  CLI::App& status = add_command("status", "The last runs and the next one",
                                 [&](const Settings& s) { return run_status(s, status_json); });
  status.add_flag("--json", status_json, "print JSON");
  ExplainOptions explain_options;
  CLI::App& explain = add_command(
      "explain", "Why a user holds each permission on a project (or belongs to a group)",
      [&](const Settings& s) { return run_explain(s, explain_options); });
  explain.add_option("--login", explain_options.login, "the user's login")->required();
  explain.add_option("--project", explain_options.project, "a project key");
  explain.add_option("--group", explain_options.group,
                     "a group's name (a mirrored group: its GitLab full path)");
  explain.add_flag("--json", explain_options.json, "print JSON");

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
  return usage_error("a command is required; see --help.");
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
