// A whole conversation with a GitLab that answers whatever the input says: the client's typed
// reads over the request engine (retries, 429 waits, pagination, page read-ahead, JSON mapping),
// on a simulated clock. The input is text, so seeds are readable:
//
//   group_members                  <- the read to run (see kCalls)
//   === 200                        <- the answer to the first request started: status,
//   x-next-page: 2                    header lines,
//                                     a blank line,
//   [{"id": 1, ...}]                  and the body
//   === 500                        <- the answer to the second request, and so on
//
// Requests past the last answer get a 404. Beyond "no crash, no sanitizer report, no hang", it
// checks that the client stays within a bounded number of requests, whatever GitLab's headers say.

#include <cstddef>
#include <cstdint>
#include <deque>
#include <string>
#include <string_view>

#include "fuzz_check.hpp"
#include "gitlab/client.hpp"
#include "scripted_transport.hpp"

namespace {

using namespace provisio;
using fuzz::require;
using gitlab::TransportResponse;

// More than any read below may need with the answers a fuzz input can hold (a read of 3 ids, 100
// pages of read-ahead each, and retries), far less than what a runaway listing would send.
constexpr std::size_t kMaxRequests = 20'000;

std::deque<TransportResponse> parse_answers(std::string_view text) {
  std::deque<TransportResponse> out;
  constexpr std::string_view kMark = "=== ";
  std::size_t at = text.find(kMark);
  while (at != std::string_view::npos) {
    const std::size_t next = text.find(std::string("\n") + std::string(kMark), at);
    std::string_view record =
        text.substr(at + kMark.size(), next == std::string_view::npos ? std::string_view::npos
                                                                      : next - at - kMark.size());
    at = next == std::string_view::npos ? next : next + 1;
    TransportResponse r;
    const auto eol = record.find('\n');
    r.status = std::atoi(std::string(record.substr(0, eol)).c_str());
    record = eol == std::string_view::npos ? std::string_view() : record.substr(eol + 1);
    while (!record.empty()) {
      const auto end = record.find('\n');
      const std::string_view line = record.substr(0, end);
      record = end == std::string_view::npos ? std::string_view() : record.substr(end + 1);
      if (line.empty()) break;  // the body follows
      const auto colon = line.find(':');
      if (colon == std::string_view::npos) continue;
      std::string_view value = line.substr(colon + 1);
      if (!value.empty() && value.front() == ' ') value.remove_prefix(1);
      r.headers[std::string(line.substr(0, colon))] = std::string(value);
    }
    r.body = std::string(record);
    out.push_back(std::move(r));
  }
  return out;
}

void run(std::string_view call, gitlab::Client& c) {
  if (call == "token_self") (void)c.token_self();
  if (call == "current_user") (void)c.current_user();
  if (call == "user") (void)c.user(7);
  if (call == "users") (void)c.users({1, 2, 3});
  if (call == "group") (void)c.group("acme/sub group");
  if (call == "groups") (void)c.groups({1, 2, 3});
  if (call == "descendant_groups") (void)c.descendant_groups(1);
  if (call == "group_members") (void)c.group_members({1, 2, 3});
  if (call == "project_members") (void)c.project_members({10, 11});
  if (call == "group_memberships_of") (void)c.group_memberships_of({1, 2, 3}, 7);
  if (call == "project_membership_of") (void)c.project_membership_of(10, 7);
  if (call == "group_projects") (void)c.group_projects(1);
  if (call == "project") (void)c.project(10);
  if (call == "member_roles") (void)c.member_roles(1);
  if (call == "my_groups") (void)c.my_groups(10);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  const std::string_view call = text.substr(0, text.find('\n'));
  std::deque<TransportResponse> answers = parse_answers(text);

  ManualClock clock(1'700'000'000'000);
  std::size_t started = 0;
  gitlab::testing::ScriptedTransport transport(
      clock,
      [&](const gitlab::TransportRequest&) {
        ++started;
        require(started <= kMaxRequests, "a read sends a bounded number of requests");
        if (answers.empty()) {
          return gitlab::testing::json_answer(R"({"message":"404 Not Found"})", 404);
        }
        TransportResponse r = std::move(answers.front());
        answers.pop_front();
        return r;
      },
      /*latency=*/5);
  SeededRandom random(42);
  gitlab::ClientOptions options;
  options.base_url = "https://gitlab.test";
  options.token = "fuzz-token";
  options.engine.concurrency = 4;
  gitlab::Client client(options, transport, random);
  run(call, client);
  return 0;
}
