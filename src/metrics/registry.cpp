#include "metrics/registry.hpp"

#include <prometheus/counter.h>
#include <prometheus/family.h>
#include <prometheus/gauge.h>
#include <prometheus/histogram.h>
#include <prometheus/registry.h>
#include <prometheus/text_serializer.h>

namespace provisio::metrics {
namespace {

using prometheus::Labels;

std::string text(std::string_view s) { return std::string(s); }

// Labels come from a closed set: a label built from what a client sent would make a new series,
// never freed, for every value an attacker invents.
std::string method_label(std::string_view method) {
  for (std::string_view known : {"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"}) {
    if (method == known) return std::string(known);
  }
  return "OTHER";
}

// A status as three digits from 100 to 599, else "other" (a GitLab answering nonsense).
std::string status_label(int status) {
  return status >= 100 && status <= 599 ? std::to_string(status) : "other";
}

// A sync takes from a second (nothing to change, small world) to many minutes (world L).
const prometheus::Histogram::BucketBoundaries kSyncBuckets = {0.5, 1,   2,   5,   10,   30,
                                                              60,  120, 300, 600, 1800, 3600};
// API answers: milliseconds for reads, a second for an argon2id login or a live GitLab check.
const prometheus::Histogram::BucketBoundaries kHttpBuckets = {0.001, 0.005, 0.01, 0.025, 0.05, 0.1,
                                                              0.25,  0.5,   1,    2.5,   5};

}  // namespace

struct Registry::Impl {
  std::shared_ptr<prometheus::Registry> registry = std::make_shared<prometheus::Registry>();

  prometheus::Family<prometheus::Counter>& sync_runs =
      prometheus::BuildCounter()
          .Name("provisio_sync_runs_total")
          .Help("Synchronization runs that ended, by task type and result (success, failed, held)")
          .Register(*registry);
  prometheus::Family<prometheus::Histogram>& sync_duration =
      prometheus::BuildHistogram()
          .Name("provisio_sync_duration_seconds")
          .Help("Wall time of synchronization runs, by task type")
          .Register(*registry);
  prometheus::Family<prometheus::Counter>& held_plans =
      prometheus::BuildCounter()
          .Name("provisio_sync_held_plans_total")
          .Help("Plans the mass-deprovisioning guard held back for an administrator to confirm")
          .Register(*registry);
  prometheus::Family<prometheus::Gauge>& last_success =
      prometheus::BuildGauge()
          .Name("provisio_sync_last_success_timestamp_seconds")
          .Help("Unix time at which the last successful full synchronization ended (0: never)")
          .Register(*registry);
  prometheus::Family<prometheus::Counter>& gitlab_requests =
      prometheus::BuildCounter()
          .Name("provisio_gitlab_requests_total")
          .Help("GitLab API answers by endpoint template and HTTP status (0: no answer)")
          .Register(*registry);
  prometheus::Family<prometheus::Counter>& gitlab_retries =
      prometheus::BuildCounter()
          .Name("provisio_gitlab_retries_total")
          .Help("GitLab requests sent again after a 5xx, a timeout, a broken answer or a 429")
          .Register(*registry);
  prometheus::Family<prometheus::Counter>& rate_limit_wait =
      prometheus::BuildCounter()
          .Name("provisio_gitlab_rate_limit_wait_seconds_total")
          .Help("Time spent waiting to stay under GitLab's announced rate limit")
          .Register(*registry);
  prometheus::Family<prometheus::Gauge>& managed_users =
      prometheus::BuildGauge()
          .Name("provisio_managed_users")
          .Help("Active users provisioned from GitLab")
          .Register(*registry);
  prometheus::Family<prometheus::Gauge>& managed_groups = prometheus::BuildGauge()
                                                              .Name("provisio_managed_groups")
                                                              .Help("Groups mirrored from GitLab")
                                                              .Register(*registry);
  prometheus::Family<prometheus::Counter>& http_requests =
      prometheus::BuildCounter()
          .Name("provisio_http_requests_total")
          .Help("HTTP requests answered, by method, route template and status")
          .Register(*registry);
  prometheus::Family<prometheus::Histogram>& http_duration =
      prometheus::BuildHistogram()
          .Name("provisio_http_request_duration_seconds")
          .Help("Time to answer HTTP requests, by route template")
          .Register(*registry);
  prometheus::Family<prometheus::Counter>& logins =
      prometheus::BuildCounter()
          .Name("provisio_logins_total")
          .Help("Login attempts by method (local, gitlab) and result (success, failure)")
          .Register(*registry);

  Impl() {
    // Present from the first scrape, so a dashboard shows 0 rather than "no data".
    held_plans.Add({});
    last_success.Add({});
    rate_limit_wait.Add({});
    managed_users.Add({});
    managed_groups.Add({});
  }
};

Registry::Registry() : impl_(std::make_unique<Impl>()) {}
Registry::~Registry() = default;

void Registry::gitlab_request(std::string_view endpoint, int status) {
  impl_->gitlab_requests.Add({{"endpoint", text(endpoint)}, {"status", status_label(status)}})
      .Increment();
}

void Registry::gitlab_retry(std::string_view endpoint) {
  impl_->gitlab_retries.Add({{"endpoint", text(endpoint)}}).Increment();
}

void Registry::gitlab_rate_limit_wait(double seconds) {
  if (seconds > 0) impl_->rate_limit_wait.Add({}).Increment(seconds);
}

void Registry::sync_finished(std::string_view type, std::string_view result, double seconds) {
  impl_->sync_runs.Add({{"type", text(type)}, {"result", text(result)}}).Increment();
  impl_->sync_duration.Add({{"type", text(type)}}, kSyncBuckets).Observe(seconds);
  if (result == "held") impl_->held_plans.Add({}).Increment();
}

void Registry::set_last_success(double unix_seconds) {
  impl_->last_success.Add({}).Set(unix_seconds);
}

void Registry::set_managed(std::int64_t active_users, std::int64_t groups) {
  impl_->managed_users.Add({}).Set(static_cast<double>(active_users));
  impl_->managed_groups.Add({}).Set(static_cast<double>(groups));
}

void Registry::http_request(std::string_view method, std::string_view route, int status,
                            double seconds) {
  impl_->http_requests
      .Add({{"method", method_label(method)},
            {"route", text(route)},
            {"status", status_label(status)}})
      .Increment();
  impl_->http_duration.Add({{"route", text(route)}}, kHttpBuckets).Observe(seconds);
}

void Registry::login(std::string_view method, std::string_view result) {
  impl_->logins.Add({{"method", text(method)}, {"result", text(result)}}).Increment();
}

std::string Registry::render() const {
  return prometheus::TextSerializer().Serialize(impl_->registry->Collect());
}

double Registry::value(std::string_view name,
                       const std::map<std::string, std::string>& labels) const {
  for (const prometheus::MetricFamily& family : impl_->registry->Collect()) {
    if (family.name != name) continue;
    for (const prometheus::ClientMetric& m : family.metric) {
      std::map<std::string, std::string> have;
      for (const auto& l : m.label) have[l.name] = l.value;
      if (have != labels) continue;
      switch (family.type) {
        case prometheus::MetricType::Counter:
          return m.counter.value;
        case prometheus::MetricType::Gauge:
          return m.gauge.value;
        case prometheus::MetricType::Histogram:
          return m.histogram.sample_sum;
        default:
          return 0;
      }
    }
  }
  return 0;
}

}  // namespace provisio::metrics
