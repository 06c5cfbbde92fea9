// commands.hpp - the subcommands of the pppkit command. Each plugin that has
// a command line part defines its entry in plugins/<name>/cli/.
// Contract: args excludes "pppkit" and the subcommand word; the return value
// is the exit status (0 ok, 1 failure, 2 usage or configuration error).
#pragma once

#include <optional>
#include <string>
#include <vector>

namespace pppkit::cli {

using Args = std::vector<std::string>;

int firewall(const Args& in);   // plugins/firewall/cli/
int ddns(const Args& args_in);  // plugins/ddns/cli/
int mss(const Args& in);        // plugins/mss/cli/
// pppkit check's firewall part: the cross-key checks, the extras file and
// the same nft dry run as apply (in a child process). Prints the problems;
// returns their number (0 also when there is no [firewall]).
int firewall_dry_run(const std::string& path, bool explicit_path);
// pppkit firewall import FILE ...: plugins/firewall/cli/import_cmd.cpp
int firewall_import(const Args& in);
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

// Common option: --config FILE (default /etc/ppp/pppkit.conf). Removes it
// from args; explicit is set when it was given.
std::string take_config(Args& args, bool& explicit_path);

}  // namespace pppkit::cli
