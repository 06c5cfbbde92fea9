// stream_client.hpp - one accepted stream connection on pppkitd's sd-event
// loop (a control client, a LAN status client): its socket, its I/O and
// timeout sources, and what it sent so far. Its owner keeps it in a map by
// fd; erasing it ends the connection (sources off first, then the socket),
// also from inside one of its own callbacks, which then return at once.
#pragma once

#include <systemd/sd-event.h>
#include <unistd.h>

#include <string>

namespace pppkit::supervisor {

struct StreamClient {
    int fd = -1;
    sd_event_source* io = nullptr;
    sd_event_source* timeout = nullptr;
    std::string buf;

    StreamClient() = default;
    StreamClient(const StreamClient&) = delete;
    StreamClient& operator=(const StreamClient&) = delete;
    ~StreamClient()
    {
        sd_event_source_disable_unref(io);
        sd_event_source_disable_unref(timeout);
        if (fd >= 0)
            ::close(fd);
    }
};

}  // namespace pppkit::supervisor
