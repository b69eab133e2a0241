#pragma once
// The `provisio` command line: parses the arguments, resolves the settings, sets up logging and
// runs the subcommand. main() is a call to run().

namespace provisio::app {

// The process's exit code: 0 on success (and for --help), 1 when a command failed, 2 for bad
// arguments or settings. Never throws.
int run(int argc, char** argv);

}  // namespace provisio::app
