#pragma once
// Random (version 4) UUIDs for new rows.

#include <string>

namespace provisio::store {

std::string new_uuid();

}  // namespace provisio::store
