// Fuzz target: the rtnetlink parser and view (supervisor/core/rtnl), which
// read what the kernel sends pppkitd about interfaces and addresses.
// Oracles: parse never crashes or reads past the datagram (ASan); what it
// returns is what the kernel could have meant: names of 1-15 printable bytes
// without '/', positive indexes, addresses that read back as themselves,
// prefixes within the family; the view applies every message, a deleted
// link is gone, an added address is there once, and resync keeps only what
// the dump named.
#include <arpa/inet.h>

#include <cstdint>
#include <cstring>
#include <string>
#include <vector>

#include "core/rtnl.hpp"
#include "oracle.hpp"

namespace {

using namespace pppkit::supervisor::rtnl;

void expect_address(int family, const std::string& a)
{
    if (a.empty())
        return;
    unsigned char b[16];
    char back[INET6_ADDRSTRLEN] = "";
    if (inet_pton(family, a.c_str(), b) != 1 || inet_ntop(family, b, back, sizeof back) == nullptr || a != back)
        fuzz::fail("an address that does not read back as itself", a);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size)
{
    // a netlink socket's buffer is aligned; so is this copy
    std::vector<uint32_t> words(size / 4 + 1);
    std::memcpy(words.data(), data, size);
    const auto p = parse({reinterpret_cast<const uint8_t*>(words.data()), size});
    View v;
    std::vector<Msg> dump;
    for (const auto& m : p.msgs) {
        if (const auto* l = std::get_if<LinkMsg>(&m)) {
            if (l->index <= 0)
                fuzz::fail("a link with index <= 0", l->name);
            if (l->name.empty() || l->name.size() > 15 || !fuzz::printable(l->name) ||
                l->name.find_first_of(" /") != std::string::npos)
                fuzz::fail("a link name the kernel cannot have", l->name);
            v.apply(m);
            if (l->deleted ? v.find(l->index) != nullptr : v.find(l->index)->name != l->name)
                fuzz::fail("the view does not follow a link message", l->name);
        } else {
            const auto& a = std::get<AddrMsg>(m);
            if (a.family != AF_INET && a.family != AF_INET6)
                fuzz::fail("an address of another family", a.local);
            if (a.prefix < 0 || a.prefix > (a.family == AF_INET ? 32 : 128))
                fuzz::fail("a prefix longer than the family's", a.local);
            if (a.local.empty())
                fuzz::fail("an address message without an address", a.peer);
            expect_address(a.family, a.local);
            expect_address(a.family, a.peer);
            v.apply(m);
            const Iface* f = v.find(a.index);
            size_t same = 0;
            if (f != nullptr)
                for (const auto& x : f->addrs)
                    same += x.family == a.family && x.local == a.local && x.prefix == a.prefix ? 1 : 0;
            if (same != (a.deleted ? 0U : 1U))
                fuzz::fail("the view does not follow an address message", a.local);
        }
        if (!std::holds_alternative<LinkMsg>(m) || !std::get<LinkMsg>(m).deleted)
            dump.push_back(m);
    }
    const auto touched = v.resync(dump);
    for (const auto& [i, f] : v.all()) {
        bool named = false;
        for (int t : touched)
            named = named || t == i;
        if (!named)
            fuzz::fail("resync did not report an index it kept", f.name);
        (void)f.up_running();
        (void)f.carries();
        (void)f.first(AF_INET);
        (void)f.first(AF_INET6);
    }
    return 0;
}
