#include "core/pppoe.hpp"

#include <charconv>
#include <cstdio>

#include "common/ifname.hpp"

namespace pppkit::supervisor::pppoe {

namespace {

int hexval(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

void put16(std::vector<uint8_t>& out, uint16_t v)
{
    out.push_back(static_cast<uint8_t>(v >> 8));
    out.push_back(static_cast<uint8_t>(v));
}

}  // namespace

bool valid_id(long id) { return id >= 1 && id <= 0xFFFE; }

bool valid_ac_mac(const Mac& m)
{
    bool zero = true;
    for (uint8_t b : m)
        zero = zero && b == 0;
    return !zero && (m[0] & 1) == 0;  // not a group (multicast/broadcast) address
}

bool valid(const Session& s) { return valid_id(s.id) && valid_ac_mac(s.ac_mac) && ifname::valid_name(s.ethernet); }

std::optional<Mac> parse_mac(std::string_view s)
{
    if (s.size() != 17)
        return std::nullopt;
    Mac m{};
    for (size_t i = 0; i < 6; ++i) {
        const int hi = hexval(s[i * 3]);
        const int lo = hexval(s[i * 3 + 1]);
        if (hi < 0 || lo < 0 || (i < 5 && s[i * 3 + 2] != ':'))
            return std::nullopt;
        m[i] = static_cast<uint8_t>(hi << 4 | lo);
    }
    return m;
}

std::string format_mac(const Mac& m)
{
    char b[18];
    std::snprintf(b, sizeof b, "%02x:%02x:%02x:%02x:%02x:%02x", m[0], m[1], m[2], m[3], m[4], m[5]);
    return b;
}

std::optional<Session> from_pppd(long id, std::string_view remote_number, std::string_view devnam)
{
    auto mac = parse_mac(remote_number);
    if (!valid_id(id) || !mac)
        return std::nullopt;
    Session s{static_cast<uint16_t>(id), *mac, std::string(devnam)};
    return valid(s) ? std::optional<Session>(s) : std::nullopt;
}

std::vector<uint8_t> padt_frame(const Session& s, const Mac& our_mac, std::string_view error_text)
{
    std::vector<uint8_t> f;
    f.reserve(kMinFrame + 64);
    f.insert(f.end(), s.ac_mac.begin(), s.ac_mac.end());
    f.insert(f.end(), our_mac.begin(), our_mac.end());
    put16(f, kEtherDiscovery);
    f.push_back(0x11);  // VER 1, TYPE 1
    f.push_back(kCodePadt);
    put16(f, s.id);
    error_text = error_text.substr(0, 64);
    const size_t tags = error_text.empty() ? 0 : 4 + error_text.size();
    put16(f, static_cast<uint16_t>(tags));
    if (!error_text.empty()) {
        put16(f, kTagGenericError);
        put16(f, static_cast<uint16_t>(error_text.size()));
        f.insert(f.end(), error_text.begin(), error_text.end());
    }
    if (f.size() < kMinFrame)
        f.resize(kMinFrame, 0);
    return f;
}

std::string format_state(const Saved& s)
{
    std::string out = "# pppkitd: the PPPoE session of this link's pppd (removed when pppd ends it cleanly)\n";
    out += "session=" + std::to_string(s.session.id) + "\n";
    out += "ac-mac=" + format_mac(s.session.ac_mac) + "\n";
    out += "ethernet=" + s.session.ethernet + "\n";
    if (s.pid > 0)
        out += "pid=" + std::to_string(s.pid) + "\n";
    return out;
}

std::variant<Saved, std::string> parse_state(std::string_view text)
{
    if (text.size() > kMaxStateFile)
        return std::string("longer than ") + std::to_string(kMaxStateFile) + " bytes";
    Saved out;
    bool have_id = false, have_mac = false, have_eth = false, have_pid = false;
    size_t lineno = 0;
    while (!text.empty()) {
        ++lineno;
        const size_t nl = text.find('\n');
        std::string_view line = text.substr(0, nl);
        text = nl == std::string_view::npos ? std::string_view() : text.substr(nl + 1);
        if (line.empty() || line.front() == '#')
            continue;
        const std::string where = "line " + std::to_string(lineno) + ": ";
        const size_t eq = line.find('=');
        if (eq == std::string_view::npos)
            return where + "not key=value";
        const std::string_view key = line.substr(0, eq), value = line.substr(eq + 1);
        auto number = [&](long& v, long lo, long hi) {
            const auto* end = value.data() + value.size();
            auto r = std::from_chars(value.data(), end, v);
            return r.ec == std::errc() && r.ptr == end && !value.empty() && v >= lo && v <= hi;
        };
        bool* seen = nullptr;
        bool ok = false;
        if (key == "session") {
            seen = &have_id;
            long v = 0;
            ok = number(v, 1, 0xFFFE);
            out.session.id = static_cast<uint16_t>(v);
        } else if (key == "ac-mac") {
            seen = &have_mac;
            auto m = parse_mac(value);
            ok = m && valid_ac_mac(*m);
            if (ok)
                out.session.ac_mac = *m;
        } else if (key == "ethernet") {
            seen = &have_eth;
            ok = ifname::valid_name(value);
            out.session.ethernet = std::string(value);
        } else if (key == "pid") {
            seen = &have_pid;
            ok = number(out.pid, 1, 0x7fffffff);
        } else {
            return where + "unknown key";
        }
        if (*seen)
            return where + "duplicate key " + std::string(key);
        *seen = true;
        if (!ok)
            return where + "invalid " + std::string(key);
    }
    if (!have_id || !have_mac || !have_eth)
        return std::string("session, ac-mac and ethernet are required");
    return out;
}

}  // namespace pppkit::supervisor::pppoe
