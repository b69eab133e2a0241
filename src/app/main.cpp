// The `provisio` executable; everything happens in app/run.cpp.
#include "app/run.hpp"

int main(int argc, char** argv) { return provisio::app::run(argc, argv); }
