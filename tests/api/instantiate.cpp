#include "api_fixture.hpp"

namespace provisio::api_test {

INSTANTIATE_TEST_SUITE_P(Backends, ApiTest, ::testing::Values("sqlite", "postgresql"),
                         backend_name);

}  // namespace provisio::api_test
