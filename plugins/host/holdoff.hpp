// holdoff.hpp - pppd's redial delay (holdoff_hook) from pppkit's backoff
// (supervisor/core/backoff.hpp, the policy of the peer's [link NAME] section:
// supervisor/core/holdoff.hpp) instead of pppd's fixed holdoff.
//
// Contract: everything runs on pppd's thread and never throws. One pppkit
// plugin per pppd owns pppd's hook (pppd_shim.c installs the first plugin's);
// every copy follows the events, only the owner reads the configuration,
// logs its plan and answers pppd.
#pragma once

#include "host/pk_host.h"

namespace pppkit::host::holdoff {

// Every event, in pk_cxx_event: a dial starts at PHASE_SERIALCONN, the link
// is up at PHASE_RUNNING (what the stable-after reset counts from).
void on_event(pk_event ev, int arg) noexcept;
// Once, after the options are parsed and before the first dial: the owner
// reads [link NAME] (NAME from "pppd call NAME") and pppd's holdoff option,
// and logs the plan once when persist is set.
void configure() noexcept;
// pppd's holdoff_hook: seconds before the next dial.
int next() noexcept;

}  // namespace pppkit::host::holdoff
