// pppkit ddns ... (see plugins/ddns/README.md)
#include <cstdio>

#include "cli/commands.hpp"

namespace pppkit::cli {

int ddns(const Args& /*args*/)
{
    std::fprintf(stderr, "pppkit ddns: not built yet\n");
    return 2;
}

}  // namespace pppkit::cli
