// Telling a live process from a dead one on this machine, with real processes: a child that
// sleeps, killed and reaped, killed and left a zombie, and identities of other machines and
// namespaces, which are never judged gone.
#include "store/process_identity.hpp"

#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdlib>
#include <sstream>
#include <vector>

#include "sleeping_child.hpp"

namespace provisio::store {
namespace {

std::vector<std::string> fields(const std::string& identity) {
  std::istringstream in(identity);
  std::vector<std::string> out;
  for (std::string f; in >> f;) out.push_back(f);
  return out;
}

std::string with_field(const std::string& identity, std::size_t index, const std::string& value) {
  auto f = fields(identity);
  f.at(index) = value;
  return f[0] + " " + f[1] + " " + f[2] + " " + f[3];
}

TEST(ProcessIdentity, NamesThisProcessWhichIsNotGone) {
  const std::string self = this_process();
  const auto f = fields(self);
  ASSERT_EQ(f.size(), 4u) << self;
  EXPECT_EQ(f[0].size(), 36u) << "the kernel's boot id, a UUID: " << f[0];
  EXPECT_EQ(f[2], std::to_string(::getpid()));
  EXPECT_EQ(process_identity(::getpid()), self);
  EXPECT_FALSE(process_is_gone(self));
}

TEST(ProcessIdentity, ALiveChildIsNotGoneAndAKilledOneIs) {
  testing::SleepingChild child;
  const std::string identity = process_identity(child.pid());
  ASSERT_EQ(fields(identity).size(), 4u) << identity;
  EXPECT_EQ(fields(identity)[2], std::to_string(child.pid()));
  EXPECT_FALSE(process_is_gone(identity));
  child.kill();
  EXPECT_TRUE(process_is_gone(identity));
  EXPECT_EQ(process_identity(child.pid()), "");
}

TEST(ProcessIdentity, AKilledChildNotYetReapedIsGone) {
  testing::SleepingChild child;
  const std::string identity = process_identity(child.pid());
  child.kill(/*reap=*/false);
  EXPECT_TRUE(process_is_gone(identity));
}

TEST(ProcessIdentity, APidNowRunningAnotherProcessIsGone) {
  // This process's pid with another start time: the holder that had it ended, and the pid went
  // to a later process.
  const std::string reused = with_field(this_process(), 3, "1");
  EXPECT_TRUE(process_is_gone(reused));
}

TEST(ProcessIdentity, AProcessOfAnotherMachineOrNamespaceIsNeverJudgedGone) {
  testing::SleepingChild child;
  const std::string identity = process_identity(child.pid());
  child.kill();
  ASSERT_TRUE(process_is_gone(identity));
  EXPECT_FALSE(process_is_gone(with_field(identity, 0, "0f6e3a4c-another-boot-of-another-host")));
  EXPECT_FALSE(process_is_gone(with_field(identity, 1, "4026530000")));
  for (const char* garbage : {"", "x", "a b c", "a b c d e", "boot ns -1 5", "boot ns x 5"}) {
    EXPECT_FALSE(process_is_gone(garbage)) << garbage;
  }
}

TEST(ProcessIdentity, TheTestBootIdMakesEveryOtherProcessLookRemote) {
  testing::SleepingChild child;
  const std::string identity = process_identity(child.pid());
  child.kill();
  ASSERT_EQ(::setenv("PROVISIO_TEST_BOOT_ID", "boot-of-a-node-on-another-machine", 1), 0);
  const bool gone = process_is_gone(identity);
  const std::string seen = process_identity(::getpid());
  ::unsetenv("PROVISIO_TEST_BOOT_ID");
  EXPECT_FALSE(gone);
  EXPECT_EQ(fields(seen).at(0), "boot-of-a-node-on-another-machine");
}

}  // namespace
}  // namespace provisio::store
