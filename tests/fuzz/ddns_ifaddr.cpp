// Fuzz target: the DDNS worker's RTM_GETADDR dump parser (plugins/ddns/core/ifaddr),
// which reads the kernel's answer when the worker waits for a global IPv6 address.
// Oracles: parse never crashes or reads past the datagram (ASan); every
// address it returns reads back as itself; each one took a whole message
// (header, ifaddrmsg and a 16-byte IFA_ADDRESS: 44 bytes at least).
#include <arpa/inet.h>

#include <cstdint>
#include <cstring>
#include <string>
#include <vector>

#include "ddns/core/ifaddr.hpp"
#include "oracle.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size)
{
    // a netlink socket's buffer is aligned; so is this copy
    std::vector<uint32_t> words(size / 4 + 1);
    std::memcpy(words.data(), data, size);
    std::vector<pppkit::ddns::V6Addr> got;
    (void)pppkit::ddns::parse_addr_dump({reinterpret_cast<const uint8_t*>(words.data()), size}, 7, 3, got);
    if (got.size() > size / 44)
        fuzz::fail("more addresses than whole messages", std::to_string(got.size()));
    for (const auto& a : got) {
        unsigned char b[16];
        char back[INET6_ADDRSTRLEN] = "";
        if (inet_pton(AF_INET6, a.text.c_str(), b) != 1 || inet_ntop(AF_INET6, b, back, sizeof back) == nullptr ||
            a.text != back)
            fuzz::fail("an address that does not read back as itself", a.text);
    }
    return 0;
}
