// journal.hpp - pppkitd's log lines: the journal with structured fields
// (MESSAGE_ID= per kind of event, PEER=, IFNAME=, CONFIG_FILE=/CONFIG_LINE=),
// and a copy on stderr when stderr is not the journal already (a test, a
// shell). The only place pppkitd logs.
#pragma once

#include <syslog.h>

#include <ctime>
#include <string>

#include "common/config.hpp"

namespace pppkit::supervisor {
struct Link;

// A time as status and the journal show it: ISO 8601, UTC ("2026-11-30T05:41:17Z").
std::string iso(std::time_t t);
}  // namespace pppkit::supervisor

namespace pppkit::supervisor::jlog {

// MESSAGE_ID= of each kind of event (journalctl MESSAGE_ID=...).
inline constexpr const char* kLinkUp = "dec9023005fe45ae902f00b57d9f3871";
inline constexpr const char* kLinkDown = "29d6bfe4bcc344dcba8707ce4e116156";
inline constexpr const char* kRedial = "ea7054031d05419281ff82d85816c15e";
inline constexpr const char* kAuthFailure = "6bdb8668685341e68c8dab8b49f6d777";
inline constexpr const char* kConfig = "24323d6d8795483794b5f85d7c0e9945";
inline constexpr const char* kEventDropped = "637c8dd11a824830b4af1229057a7513";
inline constexpr const char* kPppdExit = "3f73572d53ab44f98051604746108d5d";
inline constexpr const char* kAdopt = "7ebd8c2d42ef4c77b448a2cab249d09e";
inline constexpr const char* kDriftRepaired = "b1c5e0f4a3d24e0c9f6a8d2e71c4b590";
inline constexpr const char* kStaleSession = "b907c9e5825c40ed9f2a761fd8639d34";  // stale session cleared
inline constexpr const char* kProbeRedial = "6d1928709bdb46c39d20c312192d45a9";   // probe failed, redial
inline constexpr const char* kProbe = "7ab55e67211f431dbd179c3ba286fa0d";     // a probe round failed, or answers again
inline constexpr const char* kOnline = "204ef5d2bbdb43a3ae8ea2753167b311";    // online target reached / left
inline constexpr const char* kHandover = "76adeaf3e10141da9ffcd4f5fcf34046";  // pppd left to the next pppkitd
// kinds that share an id with a close relative
inline constexpr const char* kDial = kRedial;
inline constexpr const char* kAddress = kLinkUp;
inline constexpr const char* kWaitingLan = kRedial;

void plain(int priority, const std::string& msg);
void link(int priority, const char* message_id, const Link& l, const std::string& msg);
// MESSAGE_ID=kHandover, about pppd l.pid that pppkitd leaves running as it
// exits: OBJECT_PID= names that pppd, so journald files the line under the
// pppd's unit (pppkitd.service) even when pppkitd is gone before journald
// reads its cgroup (journalctl -u matches OBJECT_SYSTEMD_UNIT= from root).
void handover(const Link& l, const std::string& msg);
void config_problem(const config::Diagnostic& d);
// A plugin refused link l (event Problem): kConfig, with CONFIG_FILE= and
// CONFIG_LINE= when the text names them.
void link_problem(const Link& l, const std::string& text);
void event_dropped(const std::string& msg);
// MESSAGE_ID=kDriftRepaired: pppkit's nftables tables were changed by
// someone else and re-asserted (drift.hpp).
void drift(int priority, const std::string& msg);
// MESSAGE_ID=kStaleSession: a PADT for a session pppd left open (padt.cpp);
// IFNAME= is the Ethernet interface the PADT went out on.
void stale_session(int priority, const Link& l, const std::string& ethernet, const std::string& msg);

}  // namespace pppkit::supervisor::jlog
