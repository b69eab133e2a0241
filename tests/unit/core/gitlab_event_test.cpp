// What each GitLab hook touches (CONTRACT.md §10), from plain payload fields.
#include "core/gitlab_event.hpp"

#include <gtest/gtest.h>

namespace provisio {
namespace {

GitlabEvent event(std::string hook, std::string name, std::optional<std::int64_t> group = {},
                  std::optional<std::int64_t> project = {}, std::optional<std::int64_t> user = {}) {
  return {std::move(hook), std::move(name), group, project, user};
}

EventEffect effect(const GitlabEvent& e) {
  std::string problem;
  auto out = effect_of(e, problem);
  EXPECT_TRUE(out) << problem;
  return out.value_or(EventEffect{});
}

std::string refusal(const GitlabEvent& e) {
  std::string problem;
  EXPECT_FALSE(effect_of(e, problem));
  return problem;
}

TEST(GitlabEvent, GroupMembershipEventsNameTheMemberOfTheGroup) {
  for (const char* hook : {"System Hook", "Member Hook"}) {
    for (const char* name :
         {"user_add_to_group", "user_update_for_group", "user_remove_from_group"}) {
      const EventEffect e = effect(event(hook, name, 100, std::nullopt, 64));
      EXPECT_EQ(e.action, EventAction::kPartial) << hook << " " << name;
      EXPECT_EQ(e.scope.group_members, (std::set<SourceMember>{{100, 64}}));
      EXPECT_TRUE(e.scope.groups.empty()) << "the group's other members did not change";
      EXPECT_TRUE(e.scope.projects.empty());
      EXPECT_TRUE(e.scope.users.empty()) << "only a membership changed, not the user";
      EXPECT_TRUE(e.scope.members_only());
      EXPECT_EQ(e.reason, "user 64's membership of group 100 is re-read from GitLab");
    }
  }
}

TEST(GitlabEvent, AGroupMembershipEventWithoutItsUserRereadsTheWholeGroup) {
  const EventEffect e = effect(event("System Hook", "user_add_to_group", 100));
  EXPECT_EQ(e.scope.groups, std::set<std::int64_t>{100});
  EXPECT_TRUE(e.scope.group_members.empty());
  EXPECT_FALSE(e.scope.members_only());
}

TEST(GitlabEvent, ProjectMembershipEventsNameTheMemberOfTheProject) {
  for (const char* name : {"user_add_to_team", "user_update_for_team", "user_remove_from_team"}) {
    const EventEffect e = effect(event("System Hook", name, std::nullopt, 74, 41));
    EXPECT_EQ(e.action, EventAction::kPartial) << name;
    EXPECT_EQ(e.scope.project_members, (std::set<SourceMember>{{74, 41}})) << name;
    EXPECT_TRUE(e.scope.projects.empty()) << name;
    EXPECT_TRUE(e.scope.groups.empty()) << name;
  }
  EXPECT_EQ(effect(event("System Hook", "user_add_to_team", std::nullopt, 74)).scope.projects,
            std::set<std::int64_t>{74});
  EXPECT_EQ(refusal(event("System Hook", "user_add_to_team", std::nullopt, std::nullopt, 41)),
            "The event user_add_to_team has no project_id.");
}

TEST(GitlabEvent, ProjectEventsRereadTheProject) {
  for (const char* name :
       {"project_update", "project_rename", "project_transfer", "project_destroy"}) {
    const EventEffect e = effect(event("System Hook", name, std::nullopt, 74, 41));
    EXPECT_EQ(e.action, EventAction::kPartial) << name;
    EXPECT_EQ(e.scope.projects, std::set<std::int64_t>{74}) << name;
    EXPECT_TRUE(e.scope.groups.empty()) << name;
    EXPECT_TRUE(e.scope.project_members.empty()) << name;
  }
}

TEST(GitlabEvent, MemberEventsOfABurstMergeAndAnyWholeSourceMakesItNoLongerMembersOnly) {
  SyncScope burst = effect(event("System Hook", "user_add_to_group", 1, std::nullopt, 2)).scope;
  burst.merge(effect(event("System Hook", "user_add_to_team", std::nullopt, 3, 4)).scope);
  EXPECT_EQ(burst.group_members, (std::set<SourceMember>{{1, 2}}));
  EXPECT_EQ(burst.project_members, (std::set<SourceMember>{{3, 4}}));
  EXPECT_TRUE(burst.members_only());
  burst.merge(effect(event("System Hook", "project_update", std::nullopt, 5)).scope);
  EXPECT_FALSE(burst.members_only());
}

TEST(GitlabEvent, UserEventsRereadTheUser) {
  for (const char* name : {"user_destroy", "user_failed_login", "user_rename"}) {
    const EventEffect e = effect(event("System Hook", name, std::nullopt, std::nullopt, 26));
    EXPECT_EQ(e.action, EventAction::kPartial) << name;
    EXPECT_EQ(e.scope.users, std::set<std::int64_t>{26}) << name;
  }
}

TEST(GitlabEvent, NewSubgroupsArePartialAndMovedOrDeletedTreesNeedAFullSync) {
  EXPECT_EQ(effect(event("Subgroup Hook", "subgroup_create", 10)).scope.groups,
            std::set<std::int64_t>{10});
  for (const char* name : {"group_rename", "group_destroy", "subgroup_destroy"}) {
    EXPECT_EQ(effect(event("System Hook", name, 10)).action, EventAction::kFull) << name;
  }
}

TEST(GitlabEvent, EventsNoPermissionDependsOnAreIgnored) {
  for (const auto& [hook, name] : std::vector<std::pair<std::string, std::string>>{
           {"System Hook", "user_create"},
           {"System Hook", "project_create"},
           {"Member Hook", "user_access_request_to_group"},
           {"Member Hook", "user_access_request_denied_for_group"},
           {"System Hook", "repository_update"},
           {"Push Hook", "push"},
           {"System Hook", "some_event_of_a_newer_gitlab"}}) {
    const EventEffect e = effect(event(hook, name, 1, 2, 3));
    EXPECT_EQ(e.action, EventAction::kIgnore) << name;
    EXPECT_TRUE(e.scope.empty()) << name;
    EXPECT_FALSE(e.reason.empty()) << name;
  }
}

TEST(GitlabEvent, WhatIsNotAGitlabHookIsRefusedWithTheReason) {
  EXPECT_NE(refusal(event("", "user_add_to_group", 1)).find("X-Gitlab-Event"), std::string::npos);
  EXPECT_NE(refusal(event("Hook", "user_add_to_group", 1)).find("not a GitLab hook"),
            std::string::npos);
  EXPECT_NE(refusal(event("System Hook", "", 1)).find("event_name"), std::string::npos);
  EXPECT_NE(refusal(event("System Hook", "user_add_to_group")).find("group_id"), std::string::npos);
  EXPECT_NE(refusal(event("System Hook", "user_add_to_team")).find("project_id"),
            std::string::npos);
  EXPECT_NE(
      refusal(event("System Hook", "user_destroy", std::nullopt, std::nullopt, 0)).find("user_id"),
      std::string::npos);
}

TEST(SyncScope, MergingIsTheUnion) {
  SyncScope a{{1, 2}, {10}, {}};
  a.merge(SyncScope{{2, 3}, {}, {7}});
  EXPECT_EQ(a, (SyncScope{{1, 2, 3}, {10}, {7}}));
  EXPECT_TRUE(SyncScope{}.empty());
}

}  // namespace
}  // namespace provisio
