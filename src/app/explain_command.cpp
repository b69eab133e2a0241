// `provisio explain`: the API's explain (sync/explain.hpp) from the command line, reading GitLab
// with the stored provisioning token.
#include <iostream>

#include "app/commands.hpp"
#include "app/database.hpp"
#include "app/sync_commands.hpp"
#include "gitlab/curl_transport.hpp"
#include "http/api_json.hpp"
#include "sync/explain.hpp"

namespace provisio::app {

int run_explain(const Settings& settings, const ExplainOptions& options) {
  const auto fail = [](const std::string& message) {
    std::cerr << "provisio explain: " << message << "\n";
    return kExitFailure;
  };
  if (options.project.empty() == options.group.empty()) {
    std::cerr << "provisio explain: give --project KEY or --group NAME\n";
    return kExitUsage;
  }
  auto store = open_database(settings, OpenMode::kExisting);
  if (!store) return fail(store.error().message);
  const SystemClock clock;
  sync::Explainer explainer(
      **store, [] { return std::make_unique<gitlab::CurlTransport>(); }, clock);
  sync::ExplainRequest request;
  request.login = options.login;
  if (!options.project.empty()) request.project_key = options.project;
  if (!options.group.empty()) request.group = options.group;
  auto e = explainer.explain(request);
  if (!e) return fail(e.error().message);
  if (options.json) {
    std::cout << http::explanation_json(*e).dump(2) << std::endl;
    return kExitOk;
  }
  std::cout << e->login << " on "
            << (e->project_key ? "project " + *e->project_key : "group " + *e->group);
  if (e->gitlab_path) std::cout << " (GitLab " << *e->gitlab_path << ")";
  std::cout << "\n";
  for (const explain::PermissionLine& line : e->permissions) {
    std::cout << "  " << line.permission << (line.held ? "" : " (not held)") << "\n";
    for (const std::string& why : line.why) std::cout << "    - " << why << "\n";
  }
  if (e->member) {
    std::cout << "  " << (*e->member ? "member" : "not a member")
              << (e->member_from_gitlab ? "; GitLab makes the user a member" : "") << "\n";
  }
  if (e->gitlab && !e->gitlab->paths.empty()) {
    std::cout << "  GitLab paths, best first:\n";
    for (const std::string& path : e->gitlab->paths) std::cout << "    - " << path << "\n";
  }
  for (const std::string& reason : e->reasons) std::cout << "  " << reason << "\n";
  return kExitOk;
}

}  // namespace provisio::app
