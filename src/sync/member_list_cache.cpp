#include "sync/member_list_cache.hpp"

namespace provisio::sync {

std::optional<std::vector<gl::Member>> MemberListCache::find(SourceKind kind, gl::Id id,
                                                             const std::set<gl::Id>* users) {
  std::lock_guard lock(mutex_);
  const auto it = lists_.find({kind, id});
  if (it == lists_.end()) return std::nullopt;
  recent_.splice(recent_.begin(), recent_, it->second.age);
  if (users == nullptr) return it->second.members;
  std::vector<gl::Member> out;
  for (const gl::Member& m : it->second.members) {
    if (users->count(m.user_id) != 0) out.push_back(m);
  }
  return out;
}

void MemberListCache::put(SourceKind kind, gl::Id id, const std::vector<gl::Member>& members) {
  std::lock_guard lock(mutex_);
  if (const auto it = lists_.find({kind, id}); it != lists_.end()) drop(it);
  if (members.size() > max_members_) return;
  while (!recent_.empty() && held_ + members.size() > max_members_) {
    drop(lists_.find(recent_.back()));
  }
  recent_.push_front({kind, id});
  lists_.emplace(Key{kind, id}, Entry{members, recent_.begin()});
  held_ += members.size();
}

void MemberListCache::forget(const SyncScope& scope) {
  std::lock_guard lock(mutex_);
  if (!scope.users.empty()) {
    lists_.clear();
    recent_.clear();
    held_ = 0;
    return;
  }
  const auto forget_one = [&](SourceKind kind, gl::Id id) {
    if (const auto it = lists_.find({kind, id}); it != lists_.end()) drop(it);
  };
  for (const gl::Id id : scope.groups) forget_one(SourceKind::kGroup, id);
  for (const auto& [id, user] : scope.group_members) forget_one(SourceKind::kGroup, id);
  for (const gl::Id id : scope.projects) forget_one(SourceKind::kProject, id);
  for (const auto& [id, user] : scope.project_members) forget_one(SourceKind::kProject, id);
}

void MemberListCache::clear() {
  std::lock_guard lock(mutex_);
  lists_.clear();
  recent_.clear();
  held_ = 0;
}

TaskId MemberListCache::seen_up_to() const {
  std::lock_guard lock(mutex_);
  return seen_up_to_;
}

void MemberListCache::set_seen_up_to(TaskId id) {
  std::lock_guard lock(mutex_);
  seen_up_to_ = id;
}

std::size_t MemberListCache::lists() const {
  std::lock_guard lock(mutex_);
  return lists_.size();
}

std::size_t MemberListCache::members() const {
  std::lock_guard lock(mutex_);
  return held_;
}

void MemberListCache::drop(std::map<Key, Entry>::iterator it) {
  held_ -= it->second.members.size();
  recent_.erase(it->second.age);
  lists_.erase(it);
}

}  // namespace provisio::sync
