#include "core/restart.hpp"

#include <charconv>

namespace pppkit::supervisor {

StopOutcome stop_outcome(std::string_view job_type)
{
    // try-restart is collapsed to restart by systemd while the unit is
    // active (it is: pppkitd is running), so it arrives as "restart"; both
    // are kept should a systemd report it as asked.
    if (job_type == "restart" || job_type == "try-restart")
        return StopOutcome::KeepLinks;
    return StopOutcome::StopLinks;
}

std::string format_handover(const std::vector<Handover>& pppds)
{
    std::string out;
    for (const auto& h : pppds)
        out += std::to_string(h.pid) + " " + h.link + "\n";
    return out;
}

std::vector<Handover> parse_handover(std::string_view text)
{
    std::vector<Handover> out;
    while (!text.empty()) {
        const size_t nl = text.find('\n');
        const std::string_view line = text.substr(0, nl);
        text = nl == std::string_view::npos ? std::string_view{} : text.substr(nl + 1);
        const size_t sp = line.find(' ');
        if (sp == std::string_view::npos)
            continue;
        pid_t pid = 0;  // parsed as pid_t: a number beyond it is refused, never cut to another pid
        const auto [end, ec] = std::from_chars(line.data(), line.data() + sp, pid);
        const std::string_view name = line.substr(sp + 1);
        if (ec != std::errc{} || end != line.data() + sp || pid <= 0 || name.empty())
            continue;
        out.push_back({pid, std::string(name)});
    }
    return out;
}

HandoverFate handover_fate(const Handover& h, bool link_configured, std::string_view running_peer)
{
    if (running_peer != h.link)
        return HandoverFate::NotOurs;
    return link_configured ? HandoverFate::Adopt : HandoverFate::StopUnconfigured;
}

}  // namespace pppkit::supervisor
