// Fuzz target: pppkitd's per-link PPPoE state file (supervisor/core/pppoe.cpp,
// /var/lib/pppkit/NAME.pppoe), read at start after a crash or a power cut,
// when the file may be cut short or damaged. Oracles: parse_state never
// crashes; what it accepts is a valid session (id 1..0xFFFE, a unicast AC
// MAC, an interface name) that format_state writes and parse_state reads back
// unchanged; the PADT of an accepted session is one well-formed frame.
#include <cstdint>
#include <string>

#include "core/pppoe.hpp"
#include "oracle.hpp"

using namespace pppkit::supervisor::pppoe;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size)
{
    const std::string in(reinterpret_cast<const char*>(data), size);
    auto r = parse_state(in);
    const auto* saved = std::get_if<Saved>(&r);
    if (saved == nullptr) {
        if (std::get<std::string>(r).empty())
            fuzz::fail("a refused state file without a reason", in);
        return 0;
    }
    if (!valid(saved->session))
        fuzz::fail("an accepted state file with an invalid session", in);
    const std::string text = format_state(*saved);
    auto back = parse_state(text);
    const auto* again = std::get_if<Saved>(&back);
    if (again == nullptr || !(*again == *saved))
        fuzz::fail("format_state(parse_state(x)) does not read back the same", text);
    const Mac ours = {0x02, 0, 0, 0, 0, 1};
    const auto f = padt_frame(saved->session, ours, "x");
    if (f.size() != kMinFrame || f[12] != 0x88 || f[13] != 0x63 || f[15] != kCodePadt ||
        (f[16] << 8 | f[17]) != saved->session.id)
        fuzz::fail("a PADT frame that is not one", in);
    return 0;
}
