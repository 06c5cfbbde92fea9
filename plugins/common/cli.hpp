// cli.hpp - the contract between the pppkit command and a plugin's
// subcommand (plugins/<name>/cli/): its arguments, its exit status and the
// common --config option. supervisor/cli/main.cpp lists the plugins that
// have one (plugins/registry.hpp).
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace pppkit::cli {

// The arguments after the subcommand word ("pppkit" and the word excluded).
using Args = std::vector<std::string>;

// A subcommand's exit status.
enum Exit : int {
    kOk = 0,
    kFailure = 1,
    kUsage = 2,  // usage or configuration error
};

// Common option: --config FILE (default /etc/ppp/pppkit.conf). Removes it
// from args; explicit_path is set when it was given.
std::string take_config(Args& args, bool& explicit_path);

// A plugin's part of the pppkit command, defined by its cli/ as
// pppkit::cli::<name>_plugin.
struct Plugin {
    std::string_view name;  // pppkit NAME ...: the plugin's name
    // pppkit --help's line: "NAME usage" and what it is for
    std::string_view usage;
    std::string_view summary;
    // pppkit <name> ARGS...; returns the exit status.
    int (*command)(const Args& args);
    // pppkit check's part beyond the schema (dry runs, files it names), run
    // when the file has no problem otherwise. Prints the problems; returns
    // their number. May be null.
    int (*check)(const std::string& path, bool explicit_path) = nullptr;
};

}  // namespace pppkit::cli
