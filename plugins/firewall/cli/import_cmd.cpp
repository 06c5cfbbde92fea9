// pppkit firewall import FILE (see plugins/firewall/README.md)
#include <cstdio>

#include "cli/commands.hpp"

namespace pppkit::cli {

int firewall_import(const Args& /*args*/)
{
    std::fprintf(stderr, "pppkit firewall import: not built yet\n");
    return 2;
}

}  // namespace pppkit::cli
