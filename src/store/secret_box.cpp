#include "store/secret_box.hpp"

#include <sodium.h>
#include <sys/stat.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <optional>
#include <vector>

namespace provisio::store {
namespace {

constexpr std::string_view kPrefix = "v1:";
constexpr std::string_view kBoundPrefix = "v2:";
// libsodium's KDF context: 8 bytes naming what the subkey is for.
constexpr char kBoundContext[crypto_kdf_CONTEXTBYTES + 1] = "gitlabAD";

bool ensure_sodium() {
  static const bool ok = sodium_init() >= 0;
  return ok;
}

}  // namespace

SecretBox::SecretBox(const Key& key) : key_(key) {
  ensure_sodium();
  static_assert(crypto_kdf_KEYBYTES == kKeyBytes &&
                crypto_aead_xchacha20poly1305_ietf_KEYBYTES == kKeyBytes);
  crypto_kdf_derive_from_key(bound_key_.data(), bound_key_.size(), 1, kBoundContext, key_.data());
}

SecretBox::~SecretBox() {
  sodium_memzero(key_.data(), key_.size());
  sodium_memzero(bound_key_.data(), bound_key_.size());
}

Result<std::shared_ptr<SecretBox>> SecretBox::open_key_file(const std::string& path) {
  namespace fs = std::filesystem;
  if (!ensure_sodium()) return make_error(ErrorCode::kInternal, "libsodium failed to start.");
  std::error_code ec;
  Key key{};
  if (!fs::exists(path, ec)) {
    const fs::path parent = fs::path(path).parent_path();
    if (!parent.empty()) fs::create_directories(parent, ec);
    if (ec) {
      return make_error(ErrorCode::kUnavailable, "Cannot create the data directory '" +
                                                     parent.string() + "': " + ec.message());
    }
    randombytes_buf(key.data(), key.size());
    // Create with 0600 from the start so the key is never readable by others, even briefly.
    const mode_t old_mask = ::umask(077);
    std::FILE* f = std::fopen(path.c_str(), "wbx");
    ::umask(old_mask);
    if (f == nullptr || std::fwrite(key.data(), 1, key.size(), f) != key.size()) {
      if (f != nullptr) std::fclose(f);
      return make_error(ErrorCode::kUnavailable, "Cannot write the key file '" + path + "'.");
    }
    std::fclose(f);
    fs::permissions(path, fs::perms::owner_read | fs::perms::owner_write, ec);
    return std::make_shared<SecretBox>(key);
  }
  struct stat st {};
  if (::stat(path.c_str(), &st) != 0) {
    return make_error(ErrorCode::kUnavailable, "Cannot read the key file '" + path + "'.");
  }
  if ((st.st_mode & 077) != 0) {
    return make_error(
        ErrorCode::kFailedPrecondition,
        "The key file '" + path + "' is readable by other users; run: chmod 600 " + path);
  }
  std::ifstream in(path, std::ios::binary);
  std::vector<char> bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  if (bytes.size() != key.size()) {
    return make_error(ErrorCode::kFailedPrecondition,
                      "The key file '" + path + "' is not a Provisio key (wrong size).");
  }
  std::copy(bytes.begin(), bytes.end(), key.begin());
  sodium_memzero(bytes.data(), bytes.size());
  return std::make_shared<SecretBox>(key);
}

std::string SecretBox::seal(std::string_view plaintext) const {
  std::vector<unsigned char> buf(crypto_secretbox_NONCEBYTES + crypto_secretbox_MACBYTES +
                                 plaintext.size());
  unsigned char* nonce = buf.data();
  randombytes_buf(nonce, crypto_secretbox_NONCEBYTES);
  crypto_secretbox_easy(buf.data() + crypto_secretbox_NONCEBYTES,
                        reinterpret_cast<const unsigned char*>(plaintext.data()), plaintext.size(),
                        nonce, key_.data());
  std::string b64(sodium_base64_ENCODED_LEN(buf.size(), sodium_base64_VARIANT_ORIGINAL), '\0');
  sodium_bin2base64(b64.data(), b64.size(), buf.data(), buf.size(), sodium_base64_VARIANT_ORIGINAL);
  b64.resize(std::char_traits<char>::length(b64.c_str()));
  return std::string(kPrefix) + b64;
}

namespace {

Error cannot_decrypt() {
  return Error{ErrorCode::kInvalidArgument,
               "A stored secret cannot be decrypted: the key file does not match the database, "
               "or the value (or what it is bound to) was altered."};
}

std::string to_base64(const std::vector<unsigned char>& bytes) {
  std::string b64(sodium_base64_ENCODED_LEN(bytes.size(), sodium_base64_VARIANT_ORIGINAL), '\0');
  sodium_bin2base64(b64.data(), b64.size(), bytes.data(), bytes.size(),
                    sodium_base64_VARIANT_ORIGINAL);
  b64.resize(std::char_traits<char>::length(b64.c_str()));
  return b64;
}

std::optional<std::vector<unsigned char>> from_base64(std::string_view text) {
  std::vector<unsigned char> buf(text.size());
  std::size_t len = 0;
  if (sodium_base642bin(buf.data(), buf.size(), text.data(), text.size(), nullptr, &len, nullptr,
                        sodium_base64_VARIANT_ORIGINAL) != 0) {
    return std::nullopt;
  }
  buf.resize(len);
  return buf;
}

}  // namespace

bool SecretBox::is_bound(std::string_view sealed) {
  return sealed.substr(0, kBoundPrefix.size()) == kBoundPrefix;
}

std::string SecretBox::seal(std::string_view plaintext, std::string_view associated_data) const {
  constexpr std::size_t kNonce = crypto_aead_xchacha20poly1305_ietf_NPUBBYTES;
  std::vector<unsigned char> buf(kNonce + plaintext.size() +
                                 crypto_aead_xchacha20poly1305_ietf_ABYTES);
  randombytes_buf(buf.data(), kNonce);
  unsigned long long written = 0;
  crypto_aead_xchacha20poly1305_ietf_encrypt(
      buf.data() + kNonce, &written, reinterpret_cast<const unsigned char*>(plaintext.data()),
      plaintext.size(), reinterpret_cast<const unsigned char*>(associated_data.data()),
      associated_data.size(), nullptr, buf.data(), bound_key_.data());
  buf.resize(kNonce + written);
  return std::string(kBoundPrefix) + to_base64(buf);
}

Result<std::string> SecretBox::open(std::string_view sealed,
                                    std::string_view associated_data) const {
  if (!is_bound(sealed)) return open(sealed);
  constexpr std::size_t kNonce = crypto_aead_xchacha20poly1305_ietf_NPUBBYTES;
  const auto buf = from_base64(sealed.substr(kBoundPrefix.size()));
  if (!buf || buf->size() < kNonce + crypto_aead_xchacha20poly1305_ietf_ABYTES) {
    return tl::unexpected(cannot_decrypt());
  }
  std::string plain(buf->size() - kNonce - crypto_aead_xchacha20poly1305_ietf_ABYTES, '\0');
  unsigned long long len = 0;
  if (crypto_aead_xchacha20poly1305_ietf_decrypt(
          reinterpret_cast<unsigned char*>(plain.data()), &len, nullptr, buf->data() + kNonce,
          buf->size() - kNonce, reinterpret_cast<const unsigned char*>(associated_data.data()),
          associated_data.size(), buf->data(), bound_key_.data()) != 0) {
    return tl::unexpected(cannot_decrypt());
  }
  plain.resize(len);
  return plain;
}

Result<std::string> SecretBox::open(std::string_view sealed) const {
  const auto bad = [] { return tl::unexpected(cannot_decrypt()); };
  if (sealed.substr(0, kPrefix.size()) != kPrefix) return bad();
  sealed.remove_prefix(kPrefix.size());
  std::vector<unsigned char> buf(sealed.size());
  std::size_t len = 0;
  if (sodium_base642bin(buf.data(), buf.size(), sealed.data(), sealed.size(), nullptr, &len,
                        nullptr, sodium_base64_VARIANT_ORIGINAL) != 0 ||
      len < crypto_secretbox_NONCEBYTES + crypto_secretbox_MACBYTES) {
    return bad();
  }
  std::string plain(len - crypto_secretbox_NONCEBYTES - crypto_secretbox_MACBYTES, '\0');
  if (crypto_secretbox_open_easy(reinterpret_cast<unsigned char*>(plain.data()),
                                 buf.data() + crypto_secretbox_NONCEBYTES,
                                 len - crypto_secretbox_NONCEBYTES, buf.data(), key_.data()) != 0) {
    return bad();
  }
  return plain;
}

}  // namespace provisio::store
