#include "host/holdoff.hpp"

#include <sys/random.h>
#include <time.h>
#include <unistd.h>

#include <optional>
#include <string>

#include "core/holdoff.hpp"
#include "host/events.hpp"
#include "host/host.hpp"
#include "registry.hpp"

namespace pppkit::host::holdoff {
namespace {

supervisor::BackoffState g_state;
std::optional<supervisor::HoldoffPlan> g_plan;  // set by configure() in the owner

int64_t now_ms()
{
    timespec ts{};
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return int64_t{ts.tv_sec} * 1000 + ts.tv_nsec / 1000000;
}

uint32_t random32()
{
    uint32_t r = 0;
    if (getrandom(&r, sizeof r, GRND_NONBLOCK) == static_cast<ssize_t>(sizeof r))
        return r;
    timespec ts{};
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return static_cast<uint32_t>(ts.tv_nsec) ^ static_cast<uint32_t>(::getpid() << 16);
}

}  // namespace

void on_event(pk_event ev, int arg) noexcept
{
    try {
        if (ev != PK_EV_PHASE)
            return;
        if (arg == PK_PHASE_SERIALCONN)
            supervisor::backoff_dialled(g_state, now_ms());
        else if (arg == PK_PHASE_RUNNING)
            supervisor::backoff_link_up(g_state, now_ms());
    } catch (...) {
        // a lost dial record, never pppd
    }
}

void configure() noexcept
{
    try {
        pk_holdoff h{};
        pk_get_holdoff(&h);
        if (h.owned == 0)
            return;
        // A broken configuration stops pppd through the plugins' own
        // configure(); until then (and without a file) the defaults hold.
        std::vector<supervisor::LinkConfig> links;
        auto res = pppkit::load_plugin_config(config_path(), config_path_explicit(), nullptr);
        if (res.ok())
            links = supervisor::read_links(res.doc);
        g_plan = supervisor::plan_holdoff(links, events::peer_name(),
                                          h.specified != 0 ? std::optional<int>(h.holdoff) : std::nullopt);
        if (link().persist)
            log(Level::Info, supervisor::describe(*g_plan));
    } catch (...) {
        g_plan.reset();
        pk_log(PK_WARN, "pppkit: redial backoff not set up; pppd's own holdoff applies");
    }
}

int next() noexcept
{
    pk_holdoff h{};
    pk_get_holdoff(&h);
    const int own = h.need_holdoff != 0 ? h.holdoff : 0;
    try {
        if (h.need_holdoff == 0 || !g_plan)
            return own;  // what pppd would have done
        const auto d = supervisor::backoff_next(g_plan->policy, g_state, now_ms(), random32());
        const int s = supervisor::holdoff_seconds(d);
        log(Level::Debug, "redial in " + std::to_string(s) + " s (failure " + std::to_string(g_state.failures) +
                              (d.hourly_bound ? ", the hourly dial limit" : "") + ")");
        return s;
    } catch (...) {
        return own;
    }
}

}  // namespace pppkit::host::holdoff

extern "C" int pk_cxx_holdoff(void) noexcept { return pppkit::host::holdoff::next(); }
