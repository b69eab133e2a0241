// Issue 21 through the built binary: `provisio admin reset-password` with the server running and
// stopped, backups only their owner can read, GitLab secrets kept off the command line, and a
// server that idle sockets cannot starve of file descriptors.

#include <gtest/gtest.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/time.h>

#include <boost/asio/ip/tcp.hpp>
#include <filesystem>
#include <fstream>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "child_process.hpp"
#include "http_client.hpp"
#include "served_provisio.hpp"
#include "temp_dir.hpp"

namespace provisio::testing {
namespace {

namespace fs = std::filesystem;
using namespace std::chrono_literals;
using nlohmann::json;

const std::string kProvisio = PROVISIO_BINARY;
const std::string kPassword = "first-Admin-password-1";
const std::string kNewPrefix = "New password for admin: ";

std::string base64(const std::string& in) {
  static constexpr char kAlphabet[] =
      "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  std::string out;
  unsigned value = 0;
  int bits = -6;
  for (unsigned char c : in) {
    value = (value << 8) + c;
    bits += 8;
    while (bits >= 0) {
      out.push_back(kAlphabet[(value >> bits) & 0x3F]);
      bits -= 6;
    }
  }
  if (bits > -6) out.push_back(kAlphabet[((value << 8) >> (bits + 8)) & 0x3F]);
  while (out.size() % 4 != 0) out.push_back('=');
  return out;
}

class SecurityCli : public ::testing::Test {
 protected:
  Completed provisio(std::vector<std::string> args, const std::string& stdin_path = "/dev/null") {
    return run_command(kProvisio, args, {}, path("command.stderr"), 60s, stdin_path);
  }
  std::string path(const std::string& name) const { return (dir_.path() / name).string(); }
  std::string data() const { return path("data"); }
  std::string write(const std::string& name, const std::string& text) {
    std::ofstream(path(name)) << text;
    return path(name);
  }
  // The status of GET `target` as admin with HTTP Basic and `password`.
  static int as_admin(std::uint16_t port, const std::string& password,
                      const std::string& target = "/api/user_tokens/search") {
    return HttpClient(port)
        .request("GET", target, "", {{"Authorization", "Basic " + base64("admin:" + password)}})
        .status;
  }
  static std::string new_password(const Completed& c) {
    const auto at = c.out.find(kNewPrefix);
    if (at == std::string::npos) return "";
    return c.out.substr(at + kNewPrefix.size(), c.out.find('\n', at) - at - kNewPrefix.size());
  }

  TempDir dir_;
};

TEST_F(SecurityCli, ResetPasswordRecoversTheAdminWhileTheServerRunsAndEndsItsSessions) {
  ServedProvisio server(kProvisio, data(), path("serve.stderr"),
                        {{"PROVISIO_ADMIN_PASSWORD", kPassword}});
  ASSERT_NE(server.port(), 0) << server.stderr_text();
  HttpClient browser(server.port());
  const auto login =
      browser.request("POST", "/api/authentication/login", "login=admin&password=" + kPassword,
                      {{"Content-Type", "application/x-www-form-urlencoded"}});
  ASSERT_EQ(login.status, 200);
  std::string session;
  for (const std::string& line : login.set_cookies) {
    if (line.rfind("PROVISIO_SESSION=", 0) == 0) session = line.substr(0, line.find(';'));
  }
  ASSERT_FALSE(session.empty());

  const auto reset = provisio({"admin", "reset-password", "--data-dir", data()});
  ASSERT_EQ(reset.exit_code, 0) << reset.err;
  const std::string fresh = new_password(reset);
  ASSERT_GE(fresh.size(), 16u) << reset.out;
  EXPECT_EQ(as_admin(server.port(), kPassword), 401);
  EXPECT_EQ(as_admin(server.port(), fresh), 200);
  EXPECT_EQ(HttpClient(server.port())
                .request("GET", "/api/user_tokens/search", "", {{"Cookie", session}})
                .status,
            401)
      << "a session opened with the old password ends";
  // Printed once: the next run prints another one, never the same.
  const auto again =
      provisio({"admin", "reset-password", "--login", "admin", "--data-dir", data()});
  EXPECT_NE(new_password(again), fresh);
  EXPECT_EQ(server.terminate(), 0);
}

TEST_F(SecurityCli, ResetPasswordReadsTheNewPasswordFromStandardInputWithTheServerStopped) {
  {
    ServedProvisio first(kProvisio, data(), path("first.stderr"),
                         {{"PROVISIO_ADMIN_PASSWORD", kPassword}});
    ASSERT_NE(first.port(), 0) << first.stderr_text();
    ASSERT_EQ(first.terminate(), 0);
  }
  const std::string chosen = "chosen-on-the-machine-1";
  const auto reset = provisio({"admin", "reset-password", "--password-stdin", "--data-dir", data()},
                              write("password.txt", chosen + "\n"));
  ASSERT_EQ(reset.exit_code, 0) << reset.err;
  EXPECT_EQ(reset.out.find(chosen), std::string::npos) << "a chosen password is never printed";
  const auto short_one =
      provisio({"admin", "reset-password", "--password-stdin", "--data-dir", data()},
               write("short.txt", "short\n"));
  EXPECT_EQ(short_one.exit_code, 1);
  EXPECT_NE(short_one.err.find("12 characters"), std::string::npos) << short_one.err;
  const auto unknown =
      provisio({"admin", "reset-password", "--login", "nobody", "--data-dir", data()});
  EXPECT_EQ(unknown.exit_code, 1);
  EXPECT_NE(unknown.err.find("no user 'nobody'"), std::string::npos) << unknown.err;

  ServedProvisio again(kProvisio, data(), path("again.stderr"), {});
  ASSERT_NE(again.port(), 0) << again.stderr_text();
  EXPECT_EQ(as_admin(again.port(), chosen), 200);
  EXPECT_EQ(as_admin(again.port(), kPassword), 401);
  EXPECT_EQ(again.terminate(), 0);
}

TEST_F(SecurityCli, BackupsAndRestoresAreReadableByTheirOwnerOnly) {
  {
    ServedProvisio server(kProvisio, data(), path("serve.stderr"),
                          {{"PROVISIO_ADMIN_PASSWORD", kPassword}});
    ASSERT_NE(server.port(), 0) << server.stderr_text();
    ASSERT_EQ(server.terminate(), 0);
  }
  // A permissive umask, as an operator's shell may have: the copies must not inherit it.
  const mode_t previous = ::umask(022);
  const auto backup = provisio({"backup", "--output", path("copy.db"), "--data-dir", data()});
  const auto restore =
      provisio({"restore", "--input", path("copy.db"), "--data-dir", path("restored")});
  ::umask(previous);
  ASSERT_EQ(backup.exit_code, 0) << backup.err;
  ASSERT_EQ(restore.exit_code, 0) << restore.err;
  const auto owner_only = fs::perms::owner_read | fs::perms::owner_write;
  for (const std::string& file : {path("copy.db"), path("copy.db.key"),
                                  path("restored/provisio.db"), path("restored/secret.key")}) {
    ASSERT_TRUE(fs::exists(file)) << file;
    EXPECT_EQ(fs::status(file).permissions() & fs::perms::all, owner_only) << file;
  }
}

TEST_F(SecurityCli, GitlabConfigureReadsSecretsFromFilesAndStandardInput) {
  const std::string secret_file = write("oauth-secret", "oauth-secret-from-a-file\n");
  const auto configured =
      provisio({"gitlab", "configure", "--url", "https://gitlab.example.com", "--application-id",
                "app", "--secret-file", secret_file, "--token-file", "-", "--data-dir", data()},
               write("token", "token-from-standard-input\n"));
  ASSERT_EQ(configured.exit_code, 0) << configured.err;
  const auto empty =
      provisio({"gitlab", "configure", "--token-file", write("empty", ""), "--data-dir", data()});
  EXPECT_EQ(empty.exit_code, 2);
  EXPECT_NE(empty.err.find("empty"), std::string::npos) << empty.err;

  ServedProvisio server(kProvisio, data(), path("serve.stderr"),
                        {{"PROVISIO_ADMIN_PASSWORD", kPassword}});
  ASSERT_NE(server.port(), 0) << server.stderr_text();
  const auto r = HttpClient(server.port())
                     .request("GET", "/api/v2/dop-translation/gitlab-configurations", "",
                              {{"Authorization", "Basic " + base64("admin:" + kPassword)}});
  ASSERT_EQ(r.status, 200) << r.body;
  const json config = json::parse(r.body)["gitlabConfigurations"][0];
  EXPECT_EQ(config["isProvisioningTokenSet"], true);
  EXPECT_EQ(server.terminate(), 0);
}

// About a thousand idle sockets used to exhaust the unit's 1,024 file descriptors and stop the
// API. Here the server gets 256 (prlimit) and 600 sockets connect and say nothing.
TEST_F(SecurityCli, IdleSocketsCannotStarveTheServerOfFileDescriptors) {
  ChildProcess server("/usr/bin/prlimit",
                      {"--nofile=256:256", kProvisio, "serve", "--port", "0", "--bind", "127.0.0.1",
                       "--data-dir", data()},
                      {{"PROVISIO_ADMIN_PASSWORD", kPassword}}, path("serve.stderr"));
  const std::string announce = "Provisio is listening on http://127.0.0.1:";
  std::uint16_t port = 0;
  while (auto line = server.read_line(60s)) {
    if (line->rfind(announce, 0) == 0) {
      port = static_cast<std::uint16_t>(std::stoi(line->substr(announce.size())));
      break;
    }
  }
  ASSERT_NE(port, 0) << read_file(path("serve.stderr"));

  boost::asio::io_context io;
  std::vector<std::unique_ptr<boost::asio::ip::tcp::socket>> idle;
  for (int i = 0; i < 600; ++i) {
    auto socket = std::make_unique<boost::asio::ip::tcp::socket>(io);
    boost::system::error_code ec;
    socket->connect({boost::asio::ip::make_address("127.0.0.1"), port}, ec);
    if (!ec) idle.push_back(std::move(socket));
  }
  ASSERT_GT(idle.size(), 256u);
  // A real client is still served: the idle sockets made room. (A socket with a receive timeout:
  // Beast's synchronous reads would wait for ever, and the old server answered only once its
  // 30 s read timeout had closed idle sockets.)
  boost::asio::ip::tcp::socket client(io);
  client.connect({boost::asio::ip::make_address("127.0.0.1"), port});
  const timeval ten_seconds{10, 0};
  ASSERT_EQ(::setsockopt(client.native_handle(), SOL_SOCKET, SO_RCVTIMEO, &ten_seconds,
                         sizeof ten_seconds),
            0);
  const std::string request = "GET /api/system/health HTTP/1.1\r\nHost: x\r\n\r\n";
  ASSERT_EQ(::send(client.native_handle(), request.data(), request.size(), 0),
            static_cast<ssize_t>(request.size()));
  char answer[64] = {};
  const ssize_t n = ::recv(client.native_handle(), answer, sizeof answer - 1, 0);
  ASSERT_GT(n, 0) << "no answer within 10 s: the server is out of file descriptors";
  EXPECT_EQ(std::string(answer, 12), "HTTP/1.1 200");
  idle.clear();
  server.send_signal(SIGTERM);
  EXPECT_EQ(server.wait(20s), 0);
}

}  // namespace
}  // namespace provisio::testing
