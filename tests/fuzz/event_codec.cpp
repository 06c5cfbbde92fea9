// Fuzz target: the supervisor's event decoder (supervisor/core/event_codec),
// which reads datagrams any local process may send to /run/pppkit/event.
// Oracles: decode never crashes and never reads past the datagram (ASan);
// what decodes is a message the codec can write again: its strings are
// 1-64 printable ASCII bytes without '/' (the text: 1-255, '/' and spaces
// allowed), and decode(encode(m)) == m with
// encode(m) no longer than a datagram may be; encode is a fixed point from
// there on (unknown tags are dropped once, nothing else changes).
#include <cstdint>
#include <string>

#include "core/event_codec.hpp"
#include "core/exit_status.hpp"
#include "oracle.hpp"

namespace {

using namespace pppkit::supervisor::event;

std::string hex(std::span<const uint8_t> b)
{
    std::string s;
    for (uint8_t c : b) {
        char x[4];
        std::snprintf(x, sizeof x, "%02x", c);
        s += x;
    }
    return s;
}

void expect_string(std::string_view what, const std::string& s)
{
    if (s.empty())
        return;  // absent
    if (s.size() > kMaxString)
        fuzz::fail(std::string(what) + ": a decoded string longer than 64 bytes", s);
    if (!fuzz::printable(s) || s.find('/') != std::string::npos)
        fuzz::fail(std::string(what) + ": a decoded string that is not printable ASCII without '/'", s);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size)
{
    auto r = decode(std::span<const uint8_t>(data, size));
    const auto* m = std::get_if<Message>(&r);
    if (m == nullptr) {
        (void)error_name(std::get<DecodeError>(r));
        return 0;
    }
    (void)type_name(m->type);
    expect_string("peer", m->peer);
    expect_string("ifname", m->ifname);
    expect_string("eth_ifname", m->eth_ifname);
    expect_string("plugins", m->plugins);
    expect_string("plugin", m->plugin);
    if (m->text.size() > kMaxText || !fuzz::printable(m->text))
        fuzz::fail("text: a decoded text longer than 255 bytes or not printable ASCII", m->text);
    if (m->type == MsgType::Problem && m->text.empty())
        fuzz::fail("a Problem message without its text decoded", hex({data, size}));
    if (auto loc = pppkit::supervisor::problem_location(m->text);
        loc &&
        (loc->line <= 0 || loc->file.empty() || loc->file[0] != '/' || m->text.find(loc->file) == std::string::npos))
        fuzz::fail("problem_location: a location the text does not hold", m->text);
    if (m->type == MsgType::Applied && (m->plugin.empty() || !m->outcome || *m->outcome > 1 || !m->up_type))
        fuzz::fail("an Applied message without its plugin, outcome (0/1) or up type decoded", hex({data, size}));
    auto bytes = encode(*m);
    if (bytes.size() > kMaxMessage)
        fuzz::fail("encode(decode(x)) is longer than a datagram", hex(bytes));
    auto back = decode(bytes);
    const auto* m2 = std::get_if<Message>(&back);
    if (m2 == nullptr)
        fuzz::fail("encode(m) of a decoded m does not decode: " + std::string(error_name(std::get<DecodeError>(back))),
                   hex(bytes));
    if (!(*m2 == *m))
        fuzz::fail("decode(encode(m)) != m", hex(bytes));
    if (encode(*m2) != bytes)
        fuzz::fail("encode is not stable on a decoded message", hex(bytes));
    return 0;
}
