#include "core/adopt.hpp"

#include <algorithm>

namespace pppkit::supervisor {

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
