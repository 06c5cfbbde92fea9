// adopt.hpp - which ppp interface is whose, when pppkitd starts and finds
// pppd already running (supervisor/pppkitd/adopt.cpp). Pure: the caller reads
// /run/pppN.pid and the netns's point-to-point ppp interfaces. Nothing here
// logs.
#pragma once

#include <set>
#include <string>
#include <string_view>
#include <vector>

namespace pppkit::supervisor {

// The NAME of "pppd call NAME ..." in a NUL-separated /proc/PID/cmdline
// (argv[0] named pppd, whatever its directory); "" for anything else.
std::string called_peer(std::string_view cmdline);

// The NAME of a pppd pppkitd may adopt, watch and signal: "pppd call NAME"
// in cmdline (as called_peer) run by root, every id of the "Uid:" line
// (real, effective, saved, fs) of the same process's /proc/PID/status 0;
// "" otherwise. Any user can start a program whose argv reads "pppd call
// NAME", also a setuid-root one (`exec -a pppd su root call NAME` waits at
// its password prompt with effective uid 0): adopted, it would hold the link
// "dialling" and keep pppkitd from dialling. Debian's setuid pppd started
// with pon by a member of group dip keeps that user's real uid and is not
// adopted either: its poff, failed logins or SIGSTOP would stop root's link.
std::string root_called_peer(std::string_view cmdline, std::string_view status);

// pid_file_ifname[i]: the interface whose /run/IFNAME.pid holds the pid of
// adopted pppd i ("" when no file does); p2p: the point-to-point ppp
// interfaces of this netns. Returns each pppd's interface, "" when unknown:
// the one its pid file names when that is in p2p; else, when exactly one
// pppd is left without one and exactly one interface of p2p is claimed by
// no pppd, that one. The pid files are shared by every pppd of the host, so
// another netns's pppd may have rewritten the file of ours: the interfaces
// the other pppd's files name are claimed before any guess is made.
std::vector<std::string> adopted_ifnames(const std::vector<std::string>& pid_file_ifname,
                                         const std::set<std::string>& p2p);

}  // namespace pppkit::supervisor
