#include "store_fixture.hpp"

namespace provisio::store {

INSTANTIATE_TEST_SUITE_P(Backends, StoreTest, ::testing::Values("sqlite", "postgresql"),
                         backend_name);

}  // namespace provisio::store
