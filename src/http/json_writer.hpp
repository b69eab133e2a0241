#pragma once
// A JSON answer written straight into its text, for the pages the API serves most: a page of 100
// users spent half its time building and freeing an nlohmann tree only to print it. RapidJSON's
// writer does the escaping; text that is not plain ASCII goes through nlohmann, which replaces
// invalid UTF-8 exactly as every other answer does (json_response.hpp).

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

namespace provisio::http {

class JsonWriter {
 public:
  JsonWriter();
  ~JsonWriter();
  JsonWriter(const JsonWriter&) = delete;
  JsonWriter& operator=(const JsonWriter&) = delete;

  JsonWriter& begin_object();
  JsonWriter& end_object();
  JsonWriter& begin_array();
  JsonWriter& end_array();
  JsonWriter& key(std::string_view name);
  JsonWriter& value(std::string_view text);
  JsonWriter& value(const char* text) { return value(std::string_view(text)); }
  JsonWriter& value(const std::string& text) { return value(std::string_view(text)); }
  JsonWriter& value(const std::optional<std::string>& text);  // null when empty
  JsonWriter& value(std::int64_t number);
  JsonWriter& value(int number) { return value(static_cast<std::int64_t>(number)); }
  JsonWriter& value(bool flag);
  JsonWriter& null();

  // The document written so far; the writer is empty afterwards.
  std::string take();

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace provisio::http
