// Fuzz target: pppkitd's reading of a pppd options file
// (supervisor/core/peer_options.cpp: /etc/ppp/options, peers/NAME and the
// files they name), root's files that may hold anything. Oracles:
// scan_options never crashes; it names no more files and peers than the
// text has words; a pppkit plugin is found only where "pppkit-" is written (its
// pieces may be quoted apart).
#include <cstdint>
#include <string>

#include "core/peer_options.hpp"
#include "oracle.hpp"

using namespace pppkit::supervisor;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size)
{
    const std::string in(reinterpret_cast<const char*>(data), size);
    const OptionsScan s = scan_options(in);
    if (s.files.size() + s.calls.size() > size / 2)
        fuzz::fail("more files and peers than the text has words", in);
    // quotes and backslashes join the pieces of one word ("pppk""it-x.so")
    std::string joined;
    for (char c : in)
        if (c != '"' && c != '\'' && c != '\\')
            joined += c;
    if (s.pppkit_plugin && joined.find("pppkit-") == std::string::npos)
        fuzz::fail("a pppkit plugin found where the text names none", in);
    return 0;
}
