#pragma once
// A ChangeSet as JSON text, for plans held back by the guard. Internal to src/store.

#include <string>

#include "core/change_set.hpp"
#include "core/error.hpp"

namespace provisio::store {

std::string encode_change_set(const ChangeSet& c);
Result<ChangeSet> decode_change_set(const std::string& text);

}  // namespace provisio::store
