#include "http/static_files.hpp"

#include <array>
#include <fstream>
#include <iterator>
#include <system_error>
#include <utility>

#include "http/error_response.hpp"
#include "http/target.hpp"

namespace provisio::http {
namespace {

namespace fs = std::filesystem;

// Bigger files are not part of a built UI; refusing them keeps a mistake from filling memory.
constexpr std::uintmax_t kMaxFileSize = std::uintmax_t{32} * 1024 * 1024;

constexpr std::string_view kIndex = "index.html";
constexpr std::string_view kAssetsPrefix = "assets/";
constexpr std::string_view kImmutable = "public, max-age=31536000, immutable";
constexpr std::string_view kNoCache = "no-cache";
// The app loads only its own scripts and styles; nothing may frame it (clickjacking).
constexpr std::string_view kPolicy =
    "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; "
    "base-uri 'none'; form-action 'self'; frame-ancestors 'none'";

bool is_api_path(std::string_view path) { return path == "/api" || path.starts_with("/api/"); }

std::string_view last_segment(std::string_view relative) {
  const auto slash = relative.rfind('/');
  return slash == std::string_view::npos ? relative : relative.substr(slash + 1);
}

// A path that names a file rather than a page of the app.
bool names_a_file(std::string_view relative) {
  return relative.starts_with(kAssetsPrefix) ||
         last_segment(relative).find('.') != std::string_view::npos;
}

bool inside(const fs::path& root, const fs::path& candidate) {
  auto r = root.begin();
  auto c = candidate.begin();
  for (; r != root.end(); ++r, ++c) {
    if (c == candidate.end() || *r != *c) return false;
  }
  return true;
}

HttpResponse plain(int status, std::string body) {
  HttpResponse response;
  response.status = status;
  response.content_type = "text/plain; charset=utf-8";
  response.body = std::move(body);
  response.headers.emplace_back("X-Content-Type-Options", "nosniff");
  return response;
}

}  // namespace

std::optional<std::string> safe_relative_path(std::string_view url_path) {
  if (url_path.empty() || url_path.front() != '/') return std::nullopt;
  auto decoded = percent_decode(url_path, false);
  if (!decoded) return std::nullopt;
  std::string_view rest = std::string_view(*decoded).substr(1);
  std::string out;
  while (!rest.empty()) {
    const auto slash = rest.find('/');
    const std::string_view segment = rest.substr(0, slash);
    // Checked after decoding, so "%2e%2e" and "%2f" cannot sneak a ".." or a "/" past us.
    if (segment == ".." || segment == "." ||
        segment.find_first_of(std::string_view("\\\0", 2)) != std::string_view::npos) {
      return std::nullopt;
    }
    if (!segment.empty()) {  // "//" collapses, as a browser would
      if (!out.empty()) out += '/';
      out += segment;
    }
    if (slash == std::string_view::npos) break;
    rest.remove_prefix(slash + 1);
  }
  return out;
}

std::string_view content_type_for(std::string_view file_name) {
  static constexpr std::array<std::pair<std::string_view, std::string_view>, 15> kTypes{{
      {".html", "text/html; charset=utf-8"},
      {".js", "text/javascript; charset=utf-8"},
      {".mjs", "text/javascript; charset=utf-8"},
      {".css", "text/css; charset=utf-8"},
      {".json", "application/json"},
      {".map", "application/json"},
      {".svg", "image/svg+xml"},
      {".png", "image/png"},
      {".jpg", "image/jpeg"},
      {".ico", "image/x-icon"},
      {".webp", "image/webp"},
      {".woff2", "font/woff2"},
      {".woff", "font/woff"},
      {".txt", "text/plain; charset=utf-8"},
      {".webmanifest", "application/manifest+json"},
  }};
  const auto dot = file_name.rfind('.');
  if (dot == std::string_view::npos) return "application/octet-stream";
  const std::string_view extension = file_name.substr(dot);
  for (const auto& [ext, type] : kTypes) {
    if (ext == extension) return type;
  }
  return "application/octet-stream";
}

StaticFiles::StaticFiles(std::filesystem::path root) : root_(std::move(root)) {}

bool StaticFiles::has_index() const {
  std::error_code ec;
  return fs::is_regular_file(root_ / kIndex, ec);
}

std::optional<HttpResponse> StaticFiles::file_response(const fs::path& relative) const {
  std::error_code ec;
  const fs::path root = fs::canonical(root_, ec);
  if (ec) return std::nullopt;
  // canonical() resolves symbolic links: a link that leads out of the directory is not followed.
  const fs::path file = fs::canonical(root / relative, ec);
  if (ec || !inside(root, file) || !fs::is_regular_file(file, ec)) return std::nullopt;
  const auto size = fs::file_size(file, ec);
  if (ec || size > kMaxFileSize) return std::nullopt;
  std::ifstream in(file, std::ios::binary);
  if (!in) return std::nullopt;
  HttpResponse response;
  response.body.assign(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
  if (in.bad()) return std::nullopt;
  const std::string name = relative.generic_string();
  response.content_type = std::string(content_type_for(name));
  const bool hashed = name.starts_with(kAssetsPrefix);
  response.headers.emplace_back("Cache-Control", std::string(hashed ? kImmutable : kNoCache));
  response.headers.emplace_back("X-Content-Type-Options", "nosniff");
  if (response.content_type.starts_with("text/html")) {
    response.headers.emplace_back("Content-Security-Policy", std::string(kPolicy));
    response.headers.emplace_back("Referrer-Policy", "same-origin");
  }
  return response;
}

HttpResponse StaticFiles::serve(const HttpRequest& request) const {
  if (request.method != "GET" || is_api_path(request.path)) {
    return error_response(request.path, 404, "Unknown URL.");
  }
  const auto relative = safe_relative_path(request.path);
  if (!relative) return plain(400, "This path is not allowed.\n");
  if (!relative->empty()) {
    if (auto file = file_response(*relative)) return std::move(*file);
    if (names_a_file(*relative)) return plain(404, "Not found.\n");
  }
  // "/" and the app's own pages.
  if (auto index = file_response(std::string(kIndex))) return std::move(*index);
  return plain(404,
               "The web admin is not built. Run `make build` (it builds ui/ into ui/dist), or "
               "point --ui-dir at a built copy.\n");
}

}  // namespace provisio::http
