#pragma once
// Encryption of secrets at rest (libsodium secretbox: XSalsa20-Poly1305). The key is a file in
// the data directory, created on first start with mode 0600. Thread-safe once constructed.

#include <array>
#include <memory>
#include <string>

#include "core/error.hpp"

namespace provisio::store {

class SecretBox {
 public:
  static constexpr std::size_t kKeyBytes = 32;
  using Key = std::array<unsigned char, kKeyBytes>;

  explicit SecretBox(const Key& key);
  ~SecretBox();
  SecretBox(const SecretBox&) = delete;
  SecretBox& operator=(const SecretBox&) = delete;

  // Loads the key from `path`, or creates it (mode 0600, parent directory included) when absent.
  // Refuses a key file readable by others or of the wrong size.
  static Result<std::shared_ptr<SecretBox>> open_key_file(const std::string& path);

  // "v1:" + base64(nonce || ciphertext). A fresh random nonce each time.
  std::string seal(std::string_view plaintext) const;
  // kInvalidArgument when the text was not sealed with this key or was altered.
  Result<std::string> open(std::string_view sealed) const;

 private:
  Key key_;
};

}  // namespace provisio::store
