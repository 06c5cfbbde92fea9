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
// pppkitd's sockets (pppkitd(8)): control, root's alone, takes every
// request; status, root's and group pppkit's, answers status alone.
inline constexpr const char* kControlSocket = "/run/pppkit/control";
inline constexpr const char* kStatusSocket = "/run/pppkit/status";
// Where status is asked by default: root's control socket as root, else the status socket.
[[nodiscard]] std::string status_socket();
// One request on pppkitd's socket at path, the whole answer back; nullopt on
// failure, said on stderr as "who: ...". Never waits longer than timeout_s
// in all, nor longer than kConnectTimeoutS for the connection (a full
// backlog: pppkitd busy or flooded). control_cmd.cpp.
inline constexpr int kConnectTimeoutS = 3;
std::optional<std::string> ask_pppkitd(const std::string& path, const std::string& request, const std::string& who,
                                       int timeout_s);

}  // namespace pppkit::cli
