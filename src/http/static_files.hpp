#pragma once
// Serves the built web admin (ui/dist) from one directory, behind the API: the router calls it
// only for paths no API route matched. GET only. Rules:
//   - a path is decoded, then refused (400) when a segment is "..", ".", holds a backslash or a
//     NUL, or the path is not absolute; after resolving symbolic links the file must still be
//     inside the directory (else 404), so nothing outside it is ever read;
//   - an existing file is served with its content type; files under assets/ carry a content hash
//     in their names (Vite), so they are cached for a year as immutable; everything else,
//     index.html above all, is revalidated on every use (no-cache);
//   - a missing path that names a file (its last segment has a dot, or it is under assets/) is a
//     404; any other path is a page of the app (history routing: /login, /projects/k/permissions)
//     and gets index.html;
//   - paths under /api answer the API's JSON 404, never the app.
//
// Thread safety: serve() only reads the file system; call it from any number of threads.

#include <filesystem>
#include <optional>
#include <string>
#include <string_view>

#include "http/http_types.hpp"

namespace provisio::http {

// The file a URL path names, relative to the served directory: "/assets/a.js" -> "assets/a.js",
// "/" -> "". Nothing when the path is refused (see above) or its escapes are malformed.
std::optional<std::string> safe_relative_path(std::string_view url_path);

// "index.html" -> "text/html; charset=utf-8"; unknown extensions -> "application/octet-stream".
std::string_view content_type_for(std::string_view file_name);

class StaticFiles {
 public:
  // `root` need not exist yet (the UI may be built after the server starts); every request
  // looks again.
  explicit StaticFiles(std::filesystem::path root);

  HttpResponse serve(const HttpRequest& request) const;

  // True when root holds index.html (for a warning at start-up).
  bool has_index() const;

 private:
  std::optional<HttpResponse> file_response(const std::filesystem::path& relative) const;

  std::filesystem::path root_;
};

}  // namespace provisio::http
