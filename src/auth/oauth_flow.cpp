#include "auth/oauth_flow.hpp"

#include <sodium.h>

#include <array>
#include <charconv>
#include <vector>

#include "auth/tokens.hpp"
#include "core/url.hpp"

namespace provisio::auth {
namespace {

constexpr std::size_t kMaxReturnTo = 2048;

Error expired() {
  return {ErrorCode::kUnauthenticated,
          "This GitLab sign-in is no longer valid (it expired, was already used, or was started "
          "in another browser). Please log in again."};
}

std::vector<std::string_view> split_lines(std::string_view text) {
  std::vector<std::string_view> out;
  std::size_t start = 0;
  for (;;) {
    const auto end = text.find('\n', start);
    out.push_back(text.substr(start, end == std::string_view::npos ? end : end - start));
    if (end == std::string_view::npos) return out;
    start = end + 1;
  }
}

}  // namespace

PendingLogin new_pending_login(std::string_view return_to, Millis now) {
  return PendingLogin{random_secret(), random_secret(), safe_return_to(return_to),
                      now + kOAuthFlowTtl};
}

std::string pkce_challenge(std::string_view verifier) {
  std::array<unsigned char, crypto_hash_sha256_BYTES> digest{};
  crypto_hash_sha256(digest.data(), reinterpret_cast<const unsigned char*>(verifier.data()),
                     verifier.size());
  std::array<char, sodium_base64_ENCODED_LEN(crypto_hash_sha256_BYTES,
                                             sodium_base64_VARIANT_URLSAFE_NO_PADDING)>
      out{};
  sodium_bin2base64(out.data(), out.size(), digest.data(), digest.size(),
                    sodium_base64_VARIANT_URLSAFE_NO_PADDING);
  return out.data();
}

std::string authorize_url(const AuthorizeRequest& request, const PendingLogin& pending) {
  return request.gitlab_url + "/oauth/authorize?client_id=" + percent_encode(request.client_id) +
         "&redirect_uri=" + percent_encode(request.redirect_uri) +
         "&response_type=code&state=" + percent_encode(pending.state) +
         "&scope=" + percent_encode(request.scope) +
         "&code_challenge=" + pkce_challenge(pending.code_verifier) + "&code_challenge_method=S256";
}

std::string safe_return_to(std::string_view requested) {
  if (requested.empty() || requested.size() > kMaxReturnTo || requested.front() != '/') {
    return "/";
  }
  // "//host" and "/\host" are other origins to a browser.
  if (requested.size() > 1 && (requested[1] == '/' || requested[1] == '\\')) return "/";
  for (const char c : requested) {
    const auto u = static_cast<unsigned char>(c);
    if (u < 0x20 || u == 0x7f || c == '\\') return "/";
  }
  for (const std::string_view loop : {std::string_view("/sessions/"), kCallbackPath}) {
    if (requested.substr(0, loop.size()) == loop) return "/";
  }
  return std::string(requested);
}

std::string seal_pending(const store::SecretBox& box, const PendingLogin& pending) {
  // return_to holds no newline (safe_return_to refuses control characters).
  return box.seal(pending.state + "\n" + pending.code_verifier + "\n" + pending.return_to + "\n" +
                  std::to_string(pending.expires_at));
}

Result<PendingLogin> open_pending(const store::SecretBox& box,
                                  const std::optional<std::string>& cookie, Millis now) {
  if (!cookie || cookie->empty()) return tl::unexpected(expired());
  auto plain = box.open(*cookie);
  if (!plain) return tl::unexpected(expired());
  const auto parts = split_lines(*plain);
  if (parts.size() != 4) return tl::unexpected(expired());
  PendingLogin pending{std::string(parts[0]), std::string(parts[1]), std::string(parts[2]), 0};
  const auto [end, ec] =
      std::from_chars(parts[3].data(), parts[3].data() + parts[3].size(), pending.expires_at);
  if (ec != std::errc() || end != parts[3].data() + parts[3].size() || now >= pending.expires_at ||
      pending.state.empty() || pending.code_verifier.empty()) {
    return tl::unexpected(expired());
  }
  pending.return_to = safe_return_to(pending.return_to);
  return pending;
}

bool state_matches(const PendingLogin& pending, std::string_view state) {
  return !state.empty() && constant_time_equals(pending.state, state);
}

}  // namespace provisio::auth
