// pppkit firewall ... (see plugins/firewall/README.md)
#include <cstdio>

#include "cli/commands.hpp"

namespace pppkit::cli {

int firewall(const Args& /*args*/)
{
    std::fprintf(stderr, "pppkit firewall: not built yet\n");
    return 2;
}

}  // namespace pppkit::cli
