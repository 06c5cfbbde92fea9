// events.hpp - the plugin side of the event channel to pppkitd: every pppd
// event becomes one small datagram (supervisor/core/event_codec.hpp) on the
// unix socket /run/pppkit/event.
//
// Contract: called on pppd's thread from pk_cxx_event, first, for every
// event. Never blocks (MSG_DONTWAIT), never throws, never fails pppd: with no
// daemon listening or a full socket the message is dropped, and that is
// logged once per pppd.
//
// One sender per pppd: every pppkit .so has its own copy of this file, and
// pppd calls each loaded plugin's notifier for the same event. The first copy
// that sees an event claims the process: it writes "PID:ADDRESS" (its pid and
// the address of a variable private to its .so) into the environment
// variable PPPKIT_EVENT_SENDER; the other copies find their address differs
// and stay silent. A forked child inherits the variable with its parent's pid
// and claims anew. (pppd builds its scripts' environment itself; the variable
// does not reach them.)
#pragma once

#include <string>
#include <string_view>

#include "host/pk_host.h"

namespace pppkit::host::events {

// NAME of "pppd call NAME" (pon's form; pppkitd's [link NAME]) from this
// process's command line; empty when there is none (or one the event
// channel would refuse). Reads /proc/self/cmdline: call it once.
std::string peer();

void forward(pk_event ev, int arg) noexcept;
// True in the one copy that sends this pppd's events (above), from the
// process's first forward() on: what is said once per pppd, it says.
bool sends() noexcept;
// NAME of "pppd call NAME" (what pon runs) from /proc/self/cmdline, or ""
// (no call, or a name the daemon would not accept).
std::string peer_name();

// In plugin_init: adds this plugin's short name ("mss" for pppkit-mss) to the
// list the elected sender puts in its Hello (PPPKIT_EVENT_PLUGINS, "PID:a,b";
// every plugin_init runs before pppd's first event, so the list is complete).
void loaded(const char* plugin_name) noexcept;

// Called by every copy (not only the elected sender), after this plugin's
// ip-up or ipv6-up handler returned: one Applied message saying whether what
// the plugin puts in place for the link is there. Same rules as forward().
void applied(pk_event ev, const char* plugin_name, bool in_place) noexcept;

// Called by the copy whose plugin refuses the link (its configuration, or the
// link against it), just before it tells pppd to exit 2: one Problem message
// with what pppkitd shows as the reason (text: made printable, cut to 255
// bytes). Same rules as forward(); any copy may send it.
void problem(std::string_view text) noexcept;

}  // namespace pppkit::host::events
