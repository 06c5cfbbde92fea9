// probe.hpp - a link's upstream probes ([link NAME] probe = ...) on the
// daemon's sd-event loop: while pppd says the link is up, every
// probe-interval each target is tried once (ICMP echo or TCP connect, bound
// to the link's interface with SO_BINDTODEVICE, non-blocking, each within
// probe-timeout). When no target answered probe-failures rounds in a row,
// the pppd gets SIGHUP: with `persist` it drops the session and dials again,
// without it exits and pppkitd restarts it by its backoff. The decision is
// core/probe.hpp; this adapter sends, receives and logs (MESSAGE_ID
// "probe failed, redial").
#pragma once

#include <systemd/sd-event.h>

#include <cstdint>
#include <ctime>
#include <nlohmann/json_fwd.hpp>
#include <vector>

#include "core/probe.hpp"

namespace pppkit::supervisor {

struct Link;

class Prober {
public:
    Prober(sd_event* ev, Link& link);  // link outlives the prober
    ~Prober();
    Prober(const Prober&) = delete;
    Prober& operator=(const Prober&) = delete;

    void link_up();    // the link came up: a new count, the first round one interval from now
    void link_down();  // stop probing; pending probes are dropped
    // {"targets":[{"target","result","at","rtt_ms"}], "interval_ms", "timeout_ms", "failures",
    //  "failures_in_row", "rounds", "redials"}
    [[nodiscard]] nlohmann::json status() const;

private:
    struct Pending {
        Prober* owner = nullptr;
        size_t target = 0;
        int fd = -1;
        sd_event_source* io = nullptr;
        bool raw = false;  // a raw ICMP socket (no ping socket for this group)
        uint16_t id = 0;
    };
    struct Last {
        probe::Result result = probe::Result::None;
        std::time_t at = 0;
        double rtt_ms = -1;
    };

    sd_event* ev_;
    Link& link_;
    probe::State state_;
    bool said_failing_ = false;  // a failed round was logged since the last answer
    std::vector<Last> last_;
    std::vector<probe::Result> round_;  // results of the round under way
    std::vector<Pending> pending_;      // one per target of the round under way
    sd_event_source* tick_ = nullptr;   // the next round
    sd_event_source* timeout_ = nullptr;
    uint64_t round_start_ = 0;  // CLOCK_MONOTONIC usec
    uint16_t seq_ = 0;

    void start_round();
    void open_probe(size_t i);
    void done(size_t i, probe::Result r);
    void finish_round();
    void close_pending();
    static int on_tick(sd_event_source* s, uint64_t usec, void* ud);
    static int on_timeout(sd_event_source* s, uint64_t usec, void* ud);
    static int on_io(sd_event_source* s, int fd, uint32_t revents, void* ud);
};

}  // namespace pppkit::supervisor
