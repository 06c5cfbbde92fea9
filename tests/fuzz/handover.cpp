// Fuzz target: pppkitd's handover file (supervisor/core/restart.cpp,
// /run/pppkit/handover), written by the pppkitd that a restart stops and
// read by the next one; it may be cut short or damaged. Oracles:
// parse_handover never crashes; what it accepts is a pid > 0 and a
// non-empty link name on one line; format_handover writes it so that
// parse_handover reads back the same list.
#include <cstdint>
#include <string>

#include "core/restart.hpp"
#include "oracle.hpp"

using namespace pppkit::supervisor;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size)
{
    const std::string in(reinterpret_cast<const char*>(data), size);
    const auto got = parse_handover(in);
    for (const auto& h : got)
        if (h.pid <= 0 || h.link.empty() || h.link.find('\n') != std::string::npos)
            fuzz::fail("an accepted handover line with no pid or no link name", in);
    const std::string text = format_handover(got);
    if (parse_handover(text) != got)
        fuzz::fail("parse_handover(format_handover(x)) does not read back the same", text);
    return 0;
}
