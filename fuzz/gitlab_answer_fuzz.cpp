// One GitLab answer body, given to every reader of one: the JSON mappings (the body as one object
// and each item of a list), the OAuth token answer (as a success and as a refusal), and the
// messages for failed answers. Beyond "no crash, no sanitizer report", it checks what the
// readers promise: a required field (id, access_level) is kept exactly or refused, and every
// text they keep is valid UTF-8, since it goes on into the database and into JSON answers.

#include <cstddef>
#include <cstdint>
#include <string>

#include "fuzz_check.hpp"
#include "gitlab/errors.hpp"
#include "gitlab/json_mapping.hpp"
#include "gitlab/oauth_token.hpp"
#include "scripted_transport.hpp"

namespace {

using namespace provisio;
using fuzz::dumps;
using fuzz::require;
using nlohmann::json;

constexpr const char* kSecret = "fuzz-client-secret-9f3a";
constexpr const char* kCode = "fuzz-code-5e1b";

std::int64_t int_field(const json& j, const char* key) { return j.at(key).get<std::int64_t>(); }

void require_text(const std::string& s) { require(dumps(s), "a kept text is valid UTF-8"); }
void require_text(const std::optional<std::string>& s) {
  if (s) require_text(*s);
}

void check_date(const std::optional<gl::Date>& d) {
  require_text(d);
  if (d) require(d->size() <= 10, "a date keeps at most its YYYY-MM-DD part");
}

void read_item(const json& j) {
  if (auto u = gitlab::to_user(j)) {
    require(u->id == int_field(j, "id"), "a user's id is kept exactly");
    for (const auto* s : {&u->username, &u->name, &u->state}) require_text(*s);
    require_text(u->email);
    require_text(u->public_email);
  }
  if (auto m = gitlab::to_member(j)) {
    require(m->user_id == int_field(j, "id"), "a member's id is kept exactly");
    require(m->access_level == int_field(j, "access_level"),
            "a member's access level is kept exactly or refused");
    for (const auto* s : {&m->username, &m->name, &m->state, &m->membership_state}) {
      require_text(*s);
    }
    check_date(m->expires_at);
    if (m->member_role) require_text(m->member_role->name);
  }
  if (auto g = gitlab::to_group(j)) {
    require(g->id == int_field(j, "id"), "a group's id is kept exactly");
    for (const auto* s : {&g->name, &g->path, &g->full_path, &g->visibility}) require_text(*s);
    for (const auto& share : g->shared_with_groups) {
      require_text(share.group_full_path);
      check_date(share.expires_at);
    }
  }
  if (auto p = gitlab::to_project(j)) {
    require(p->id == int_field(j, "id"), "a project's id is kept exactly");
    for (const auto& share : p->shared_with_groups) check_date(share.expires_at);
  }
  if (auto r = gitlab::to_custom_role(j)) require_text(r->name);
  if (auto t = gitlab::to_token_info(j)) {
    check_date(t->expires_at);
    for (const auto& s : t->scopes) require_text(s);
  }
}

// The OAuth token step, answered with `body` and `status`.
void exchange(const std::string& body, int status) {
  ManualClock clock(1'700'000'000'000);
  gitlab::testing::ScriptedTransport transport(clock, [&](const gitlab::TransportRequest&) {
    return gitlab::testing::json_answer(body, status);
  });
  gitlab::CodeExchange e;
  e.base_url = "https://gitlab.test";
  e.client_id = "fuzz-client";
  e.client_secret = kSecret;
  e.code = kCode;
  e.redirect_uri = "https://provisio.test/oauth2/callback/gitlab";
  e.code_verifier = "fuzz-verifier";
  const auto tokens = gitlab::exchange_code(transport, e);
  if (tokens) {
    require(status == 200 && !tokens->access_token.empty(), "a token only from a 200 with one");
    for (const auto& s : tokens->scopes) require(!s.empty(), "no empty scope");
  } else {
    const std::string& m = tokens.error().message;
    require(!m.empty(), "a refusal has a message");
    if (body.find(kSecret) == std::string::npos && body.find(kCode) == std::string::npos) {
      require(m.find(kSecret) == std::string::npos && m.find(kCode) == std::string::npos,
              "no secret in a message");
    }
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string body(reinterpret_cast<const char*>(data), size);

  const json j = json::parse(body, nullptr, /*allow_exceptions=*/false);
  if (!j.is_discarded()) {
    read_item(j);
    if (j.is_array()) {
      for (const auto& item : j) read_item(item);
      (void)gitlab::to_list(j.get<std::vector<json>>(), &gitlab::to_member);
    }
  }

  exchange(body, 200);
  exchange(body, 400);

  gitlab::TransportResponse failed;
  failed.body = body;
  for (const int status : {302, 400, 401, 403, 404, 405, 429, 500, 418}) {
    failed.status = status;
    const Error e =
        gitlab::classify_failure(failed, "https://gitlab.test/api/v4/groups/1", {"the group"});
    require(!e.message.empty(), "a failed answer has a message");
  }
  return 0;
}
