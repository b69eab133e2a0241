# Every library comes from Debian's packages (scripts/bootstrap installs them).
find_package(Threads REQUIRED)
find_package(Boost 1.81 REQUIRED)
find_package(CURL REQUIRED)
find_package(nlohmann_json 3 REQUIRED)
find_package(RapidJSON REQUIRED)  # header only, in /usr/include: the writer of the hot pages
find_package(spdlog REQUIRED)
find_package(CLI11 REQUIRED)
find_package(tomlplusplus REQUIRED)
find_package(prometheus-cpp REQUIRED)
find_package(tl-expected REQUIRED)
find_package(GTest REQUIRED)
find_package(benchmark REQUIRED)
find_package(PkgConfig REQUIRED)
pkg_check_modules(SODIUM REQUIRED IMPORTED_TARGET libsodium)

# SOCI 4.0 ships no CMake config in Debian: find it by hand.
find_path(SOCI_INCLUDE_DIR soci/soci.h REQUIRED)
find_library(SOCI_CORE_LIB soci_core REQUIRED)
find_library(SOCI_SQLITE_LIB soci_sqlite3 REQUIRED)
find_library(SOCI_POSTGRESQL_LIB soci_postgresql REQUIRED)
find_package(SQLite3 REQUIRED)
find_package(PostgreSQL REQUIRED)
add_library(soci_all INTERFACE)
target_include_directories(soci_all SYSTEM INTERFACE ${SOCI_INCLUDE_DIR} ${PostgreSQL_INCLUDE_DIRS})
target_link_libraries(soci_all INTERFACE ${SOCI_SQLITE_LIB} ${SOCI_POSTGRESQL_LIB} ${SOCI_CORE_LIB}
                                         SQLite::SQLite3 PostgreSQL::PostgreSQL Boost::headers ${CMAKE_DL_LIBS})
