#include "store/secret_box.hpp"

#include <sodium.h>
#include <sys/stat.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <vector>

namespace provisio::store {
namespace {

constexpr std::string_view kPrefix = "v1:";

bool ensure_sodium() {
  static const bool ok = sodium_init() >= 0;
  return ok;
}

}  // namespace

SecretBox::SecretBox(const Key& key) : key_(key) { ensure_sodium(); }

SecretBox::~SecretBox() { sodium_memzero(key_.data(), key_.size()); }

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

Result<std::string> SecretBox::open(std::string_view sealed) const {
  const auto bad = [] {
    return make_error(ErrorCode::kInvalidArgument,
                      "A stored secret cannot be decrypted: the key file does not match the "
                      "database, or the value was altered.");
  };
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
