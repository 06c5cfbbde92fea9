// Fuzz target: the LAN status request parser of [pppkitd] status-listen
// (supervisor/core/online.cpp parse_request): the bytes a LAN client sends
// to pppkitd, which runs as root.
// Oracles: no crash, no read past the input (ASan); only a whole request
// (newline-terminated, within kMaxRequest) parses; the NAME it yields is ""
// or 1-64 printable ASCII bytes without space or '/', not starting with '.';
// request(NAME) parses back to NAME.
#include <cstdint>
#include <string>

#include "core/online.hpp"
#include "oracle.hpp"

using namespace pppkit::supervisor::online;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size)
{
    const std::string in(reinterpret_cast<const char*>(data), size);
    auto name = parse_request(in);
    if (!name)
        return 0;
    if (in.size() > kMaxRequest || in.back() != '\n' || in.find('\n') != in.size() - 1)
        fuzz::fail("a request that is not exactly one line within kMaxRequest parsed", in);
    const std::string& n = *name;
    if (n.size() > 64 || !fuzz::printable(n) || n.find_first_of(" /") != std::string::npos ||
        (!n.empty() && n.front() == '.'))
        fuzz::fail("a parsed LAN request names a link no configuration could", in);
    if (parse_request(request(n)) != name)
        fuzz::fail("parse_request(request(name)) != name", in);
    return 0;
}
