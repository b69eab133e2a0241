#pragma once
// Start here for metrics (style.md habit 11: observability is part of each adapter's contract).
// One Registry per process holds every counter, gauge and histogram Provisio exports; each
// adapter reports what it did through the named methods below, and GET /metrics renders the lot
// in Prometheus text format 0.0.4. Labels are low-cardinality by contract: GitLab endpoints and
// HTTP routes are route templates ("/groups/:id/members", "/api/v2/users-management/users/{id}"),
// never raw paths, so no id ever becomes a label value.
//
// Thread safety: every method may be called from any thread at once (prometheus-cpp's metrics
// are atomic and its families lock when a new label set is added).

#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <string_view>

namespace provisio::metrics {

class Registry {
 public:
  Registry();
  ~Registry();
  Registry(const Registry&) = delete;
  Registry& operator=(const Registry&) = delete;

  // ---- GitLab client (the request engine)
  // One answer (or transport failure: status 0) from `endpoint`, a route template.
  void gitlab_request(std::string_view endpoint, int status);
  void gitlab_retry(std::string_view endpoint);
  void gitlab_rate_limit_wait(double seconds);

  // ---- sync runs
  // `type` is the task type (GITLAB_AUTH_PROVISIONING, ...); `result` success, failed or held.
  void sync_finished(std::string_view type, std::string_view result, double seconds);
  // Unix time of the last successful full sync (read from the run history at each scrape, so
  // it survives restarts and counts the runs of every node).
  void set_last_success(double unix_seconds);

  // ---- the server's state, refreshed at each scrape
  void set_managed(std::int64_t active_users, std::int64_t groups);

  // ---- HTTP and logins
  // `route` is the matched route template, or "(unmatched)" / "(fallback)"; a method outside
  // GET, HEAD, POST, PUT, PATCH, DELETE and OPTIONS is labelled OTHER.
  void http_request(std::string_view method, std::string_view route, int status, double seconds);
  // `method` local or gitlab; `result` success or failure.
  void login(std::string_view method, std::string_view result);

  // Prometheus text format 0.0.4.
  std::string render() const;

  // The current value of a counter or gauge (the sum of a histogram's observations), for tests
  // and logs; 0 when that label set was never reported.
  double value(std::string_view name, const std::map<std::string, std::string>& labels = {}) const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace provisio::metrics
