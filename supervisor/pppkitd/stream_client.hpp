// stream_client.hpp - one accepted stream connection on pppkitd's sd-event
// loop (a control client, a LAN status client): its socket, its I/O and
// timeout sources, and what it sent so far. Its owner keeps it in a map by
// fd; erasing it ends the connection (sources off first, then the socket),
// also from inside one of its own callbacks, which then return at once.
// add_listener: the listening socket that accepts them.
#pragma once

#include <sys/epoll.h>
#include <systemd/sd-event.h>
#include <unistd.h>

#include <cstdint>
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

// A listening socket on the loop, taking at most 100 connections a second
// (its own budget: each listener is limited apart from the others).
// Out of descriptors (EMFILE, ENFILE) accept4() fails and leaves the
// connection in the backlog, so the level-triggered listener would be called
// back at once, forever: a busy loop until a descriptor comes free. sd-event's
// rate limit switches it off for the rest of the second instead. ret: NULL
// for a source the loop owns (floating). priority: sd-event's (lower runs first).
inline int add_listener(sd_event* ev, sd_event_source** ret, int fd, sd_event_io_handler_t cb, void* userdata,
                        int64_t priority = SD_EVENT_PRIORITY_NORMAL)
{
    constexpr uint64_t kInterval = 1000000;  // us
    constexpr unsigned kBurst = 100;
    sd_event_source* s = nullptr;
    const int r = sd_event_add_io(ev, &s, fd, EPOLLIN, cb, userdata);
    if (r < 0)
        return r;
    (void)sd_event_source_set_ratelimit(s, kInterval, kBurst);
    (void)sd_event_source_set_priority(s, priority);
    if (ret != nullptr) {
        *ret = s;
    } else {
        (void)sd_event_source_set_floating(s, 1);
        sd_event_source_unref(s);
    }
    return 0;
}

}  // namespace pppkit::supervisor
