#include "core/adopt.hpp"

#include <algorithm>

namespace pppkit::supervisor {

std::string called_peer(std::string_view cmdline)
{
    std::vector<std::string_view> argv;
    for (size_t a = 0; a < cmdline.size();) {
        size_t e = cmdline.find('\0', a);
        if (e == std::string_view::npos)
            e = cmdline.size();
        argv.push_back(cmdline.substr(a, e - a));
        a = e + 1;
    }
    if (argv.empty())
        return {};
    const std::string_view prog = argv[0].substr(argv[0].rfind('/') + 1);  // npos + 1 == 0
    if (prog != "pppd")
        return {};
    for (size_t i = 1; i + 1 < argv.size(); ++i)
        if (argv[i] == "call")
            return std::string(argv[i + 1]);
    return {};
}

std::string root_called_peer(std::string_view cmdline, std::string_view status)
{
    // "Uid:\tREAL\tEFFECTIVE\tSAVED\tFS\n", at the start of a line
    size_t at = status.rfind("Uid:", 0) == 0 ? 0 : status.find("\nUid:");
    if (at == std::string_view::npos)
        return {};
    std::string_view line = status.substr(at + (at == 0 ? 4 : 5));
    line = line.substr(0, line.find('\n'));
    std::vector<std::string_view> ids;
    for (size_t a = line.find_first_not_of(" \t"); a != std::string_view::npos; a = line.find_first_not_of(" \t", a)) {
        const size_t e = std::min(line.find_first_of(" \t", a), line.size());
        ids.push_back(line.substr(a, e - a));
        a = e;
    }
    if (ids.size() != 4 || std::any_of(ids.begin(), ids.end(), [](std::string_view id) { return id != "0"; }))
        return {};
    return called_peer(cmdline);
}

std::vector<std::string> adopted_ifnames(const std::vector<std::string>& pid_file_ifname,
                                         const std::set<std::string>& p2p)
{
    std::vector<std::string> out;
    std::set<std::string> unclaimed = p2p;
    for (const auto& n : pid_file_ifname) {
        out.push_back(p2p.count(n) != 0 ? n : "");
        unclaimed.erase(out.back());
    }
    if (std::count(out.begin(), out.end(), "") == 1 && unclaimed.size() == 1)
        *std::find(out.begin(), out.end(), "") = *unclaimed.begin();
    return out;
}

}  // namespace pppkit::supervisor
