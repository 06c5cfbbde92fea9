// host_name.hpp - whether this host's own name resolves without DNS (the
// seed's last hand-made step: "sudo: unable to resolve host router2", fixed
// in /etc/hosts). With "usepeerdns" the resolver is the ISP's: a name that
// /etc/hosts does not hold goes out to it, and waits while the link is down.
// Pure: the caller reads the files and says what it finds.
#pragma once

#include <string>
#include <string_view>

namespace pppkit::supervisor::host_name {

// True when the name resolves locally: hosts (the text of /etc/hosts) has a
// line that lists it among its names (after the address; '#' starts a
// comment; names compare without case), or nsswitch (/etc/nsswitch.conf)
// lists "myhostname" on its "hosts:" line (systemd's nss-myhostname answers
// for the host's own name). An empty name is never local.
[[nodiscard]] bool resolves_locally(std::string_view name, std::string_view hosts, std::string_view nsswitch);

// The warning pppkit check and pppkitd give when it does not:
// "/etc/hosts: this host's name 'NAME' is not in it: ...".
[[nodiscard]] std::string warning(std::string_view name);

}  // namespace pppkit::supervisor::host_name
