#include <spdlog/spdlog.h>

#include <boost/asio/io_context.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/steady_timer.hpp>
#include <csignal>
#include <functional>
#include <iostream>

#include "app/admin_user.hpp"
#include "app/commands.hpp"
#include "app/database.hpp"
#include "app/environment.hpp"
#include "app/gitlab_check.hpp"
#include "app/logfmt.hpp"
#include "app/sync_wiring.hpp"
#include "auth/authenticator.hpp"
#include "auth/login_limiter.hpp"
#include "core/ip_address.hpp"
#include "gitlab/curl_transport.hpp"
#include "http/api_routes.hpp"
#include "http/router.hpp"
#include "http/server.hpp"
#include "http/static_files.hpp"
#include "sync/explain.hpp"
#include "sync/gitlab_login.hpp"
#include "sync/worker.hpp"

namespace provisio::app {
namespace {

void log_access(const http::AccessLogEntry& e) {
  spdlog::debug(logfmt("request", {{"remote", e.remote_address},
                                   {"method", e.method},
                                   {"path", e.path},
                                   {"status", std::to_string(e.status)},
                                   {"bytes", std::to_string(e.response_bytes)},
                                   {"duration_us", std::to_string(e.duration.count())}}));
}

int fail(std::string_view what, const Error& error) {
  std::cerr << "provisio serve: " << what << ": " << error.message << "\n";
  return kExitFailure;
}

}  // namespace

int run_serve(const Settings& settings, const std::optional<std::string>& admin_password) {
  // Installed first: a SIGTERM during start-up then ends the process cleanly (exit 0) once the
  // start-up step in progress is done, instead of killing it halfway through a migration.
  boost::asio::io_context signals_io(1);
  boost::asio::signal_set signals(signals_io, SIGINT, SIGTERM);
  // Forgets what the login limits no longer need, once a minute (armed once serving).
  boost::asio::steady_timer sweeper(signals_io);
  int received = 0;
  signals.async_wait([&](const boost::system::error_code& ec, int signal) {
    if (!ec) received = signal;
    sweeper.cancel();
  });

  const auto lease_ms = sync_lease_ms();
  if (!lease_ms) return fail("bad setting", lease_ms.error());
  const auto read_api = gitlab_read_api();
  if (!read_api) return fail("bad setting", read_api.error());
  auto store = open_database(settings, OpenMode::kCreate);
  if (!store) return fail("cannot open the database", store.error());
  if (auto migrated = (*store)->migrate(); !migrated) {
    return fail("cannot migrate the database", migrated.error());
  }
  const SystemClock clock;
  auto admin = ensure_admin_user(**store, admin_password, clock);
  if (!admin) return fail("cannot create the local administrator", admin.error());
  if (admin->created) {
    spdlog::info(logfmt("created the local administrator", {{"login", std::string(kAdminLogin)}}));
  }
  if (admin->generated_password) {
    // The only place the generated password ever appears: stdout, once, never the log.
    std::cout << "Created the local administrator: login " << kAdminLogin << ", password "
              << *admin->generated_password << " (shown once; change it)" << std::endl;
  } else if (admin->created) {
    std::cout << "Created the local administrator: login " << kAdminLogin
              << ", with the password of PROVISIO_ADMIN_PASSWORD" << std::endl;
  }

  // The sync side of this node: the hourly schedule and the task queue, on their own thread.
  // One registry for the process: the sync, its GitLab requests, HTTP and logins report to it.
  metrics::Registry metrics;
  auto sync_service = make_sync_service(**store, clock, &metrics, *lease_ms, *read_api);
  sync::Worker worker(**store, *sync_service, clock);

  // The Web API. Its handlers run on the server's worker pool; everything below is thread-safe.
  auth::LoginLimiter limiter(clock);
  auth::Authenticator authenticator(**store, clock, limiter);
  auto secrets = open_secret_box(settings);
  if (!secrets) return fail("cannot open the key file", secrets.error());
  gitlab::EngineOptions explain_engine;
  explain_engine.metrics = &metrics;
  sync::Explainer explainer(
      **store, [] { return std::make_unique<gitlab::CurlTransport>(); }, clock,
      sync_service->options().rules, explain_engine);
  sync::GitlabLogin gitlab_login(
      **store, [] { return std::make_unique<gitlab::CurlTransport>(); }, clock, &metrics);
  if (settings.server_url.empty()) {
    spdlog::warn(
        logfmt("no server URL is set: the GitLab login builds its redirect URI from "
               "each request's Host header; set --server-url to the address users reach"));
  }
  http::ApiContext api{
      **store, clock, authenticator,
      [&sync_service](const std::string& who) { return sync_service->request_full(who); },
      [&clock](const GitlabConfig& config) { return check_gitlab(config, clock.now()); },
      settings.server_url.rfind("https://", 0) == 0, http::SystemInfo{},
      [&sync_service](TaskId held, const std::string& who) {
        return sync_service->confirm(held, who);
      },
      &gitlab_login, *secrets, settings.server_url,
      [&explainer](const sync::ExplainRequest& r) { return explainer.explain(r); }, &metrics,
      // Anonymous scraping only when asked for: the figures (user counts, routes, sync results)
      // describe the organisation, so by default they need an administrator's token, which
      // Prometheus sends with `authorization: {credentials: ...}`.
      process_getenv("PROVISIO_METRICS_PUBLIC").value_or("") == "true"};
  // GitLab events: the partial sync of what each names, queued in the database (so whichever
  // node is free runs it) and started at once on this one.
  api.queue_event = [&sync_service, &worker](const EventEffect& effect) -> Result<Task> {
    auto queued = effect.action == EventAction::kFull
                      ? sync_service->request_full("gitlab-events")
                      : sync_service->request_scoped(effect.scope, "gitlab-events");
    if (queued) worker.wake();
    return queued;
  };
  api.webhook_secret = process_getenv("PROVISIO_GITLAB_WEBHOOK_SECRET");
  sync::PlanPreview plan_preview([&sync_service] { return sync_service->plan_full(); }, clock);
  api.plan_preview = [&plan_preview](bool refresh) { return plan_preview.get(refresh); };
  api.allow_http_gitlab = settings.gitlab_allow_http;
  http::Router router;
  http::add_api_routes(router, api);
  // The web admin answers whatever the API does not.
  const http::StaticFiles ui(settings.ui_dir);
  if (!ui.has_index()) {
    spdlog::warn(logfmt("the web admin is not built: no index.html in the UI directory",
                        {{"ui_dir", settings.ui_dir}}));
  }
  router.set_fallback([&ui](const http::HttpRequest& r) { return ui.serve(r); });
  http::ServerOptions options;
  options.bind_address = settings.bind;
  options.port = settings.port;
  options.access_log = log_access;
  options.max_connections = settings.max_connections;
  options.max_connections_per_address = settings.max_connections_per_address;
  options.trusted_proxies =
      parse_address_ranges(settings.trusted_proxies)
          .value_or(std::vector<AddressRange>{});  // checked with the other settings
  if (!options.trusted_proxies.empty()) {
    spdlog::info(logfmt("trusting X-Forwarded-For and X-Forwarded-Proto",
                        {{"from", settings.trusted_proxies}}));
  }
  http::Server server(std::move(options), std::move(router));

  signals_io.poll();
  if (received != 0) {
    spdlog::info(logfmt("stopped during start-up"));
    return kExitOk;
  }
  auto port = server.start();
  if (!port) return fail("cannot start the HTTP server", port.error());
  spdlog::info(logfmt("listening", {{"addr", settings.bind}, {"port", std::to_string(*port)}}));
  std::cout << "Provisio is listening on http://" << settings.bind << ":" << *port << std::endl;
  worker.start();
  std::function<void()> arm_sweeper = [&] {
    sweeper.expires_after(std::chrono::minutes(1));
    sweeper.async_wait([&](const boost::system::error_code& ec) {
      if (ec) return;
      limiter.sweep();
      api.gitlab_login_throttle->sweep(clock.now());
      arm_sweeper();
    });
  };
  arm_sweeper();

  signals_io.run();
  spdlog::info(logfmt("stopping", {{"signal", received == SIGTERM ? "SIGTERM" : "SIGINT"}}));
  server.stop();
  worker.stop();  // after the task in progress, if any
  store->reset();
  spdlog::info(logfmt("stopped"));
  return kExitOk;
}

}  // namespace provisio::app
