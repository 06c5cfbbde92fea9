// commands.hpp - the pppkit command's own subcommands (supervisor/cli/).
// The plugins' subcommands are listed in plugins/registry.hpp; the contract
// (arguments, exit status, --config) is common/cli.hpp.
#pragma once

#include <optional>
#include <string>

#include "common/cli.hpp"

namespace pppkit::cli {

// pppkit status [NAME] [--json|--prometheus]: supervisor/cli/status_cmd.cpp
int status(const Args& in);
// pppkit wait-online [NAME] [--timeout S] [--remote HOST[:PORT]]: supervisor/cli/wait_online_cmd.cpp
int wait_online(const Args& in);
// pppkit start|stop|restart NAME, pppkit reload: supervisor/cli/control_cmd.cpp
int control(const std::string& verb, const Args& in);
// One request on pppkitd's control socket at path, the whole answer back;
// nullopt on failure, said on stderr as "who: ..." (control_cmd.cpp).
std::optional<std::string> ask_pppkitd(const std::string& path, const std::string& request, const std::string& who,
                                       int timeout_s);

}  // namespace pppkit::cli
