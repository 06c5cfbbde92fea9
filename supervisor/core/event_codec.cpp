#include "core/event_codec.hpp"

#include <algorithm>
#include <cstring>

namespace pppkit::supervisor::event {

namespace {

void put_tlv(std::vector<uint8_t>& out, Tag t, const uint8_t* p, size_t n)
{
    out.push_back(static_cast<uint8_t>(t));
    out.push_back(static_cast<uint8_t>(n));
    out.insert(out.end(), p, p + n);
}

void put_str(std::vector<uint8_t>& out, Tag t, std::string_view s)
{
    if (s.empty())
        return;
    s = s.substr(0, t == Tag::Text ? kMaxText : kMaxString);
    put_tlv(out, t, reinterpret_cast<const uint8_t*>(s.data()), s.size());
}

template <size_t N>
void put_arr(std::vector<uint8_t>& out, Tag t, const std::optional<std::array<uint8_t, N>>& a)
{
    if (a)
        put_tlv(out, t, a->data(), N);
}

void put_u16(std::vector<uint8_t>& out, Tag t, const std::optional<uint16_t>& v)
{
    if (!v)
        return;
    const uint8_t b[2] = {static_cast<uint8_t>(*v >> 8), static_cast<uint8_t>(*v)};
    put_tlv(out, t, b, 2);
}

void put_u8(std::vector<uint8_t>& out, Tag t, const std::optional<uint8_t>& v)
{
    if (v)
        put_tlv(out, t, &*v, 1);
}

bool good_string(std::span<const uint8_t> v)
{
    return std::all_of(v.begin(), v.end(), [](uint8_t c) { return c > 0x20 && c < 0x7f && c != '/'; });
}

bool good_text(std::span<const uint8_t> v)
{
    return std::all_of(v.begin(), v.end(), [](uint8_t c) { return c >= 0x20 && c < 0x7f; });
}

// The size a tag must have: 0 for strings (1..kMaxString), -2 for the text
// (1..kMaxText), -1 for unknown tags.
int tag_size(uint8_t tag)
{
    switch (static_cast<Tag>(tag)) {
    case Tag::Pid: return 4;
    case Tag::Peer:
    case Tag::Ifname:
    case Tag::EthIfname:
    case Tag::Plugins:
    case Tag::Plugin: return 0;
    case Tag::Phase:
    case Tag::ExitStatus:
    case Tag::Outcome:
    case Tag::UpType: return 1;
    case Tag::Local4:
    case Tag::Remote4: return 4;
    case Tag::Local6:
    case Tag::Remote6: return 16;
    case Tag::Mtu:
    case Tag::Session: return 2;
    case Tag::AcMac: return 6;
    case Tag::Text: return -2;
    }
    return -1;
}

}  // namespace

std::vector<uint8_t> encode(const Message& m)
{
    const uint8_t version = m.type == MsgType::Applied || m.type == MsgType::Problem ? kVersion2 : kVersion;
    std::vector<uint8_t> out = {'P', 'K', version, static_cast<uint8_t>(m.type), 0, 0};
    const uint8_t pid[4] = {static_cast<uint8_t>(m.pid >> 24), static_cast<uint8_t>(m.pid >> 16),
                            static_cast<uint8_t>(m.pid >> 8), static_cast<uint8_t>(m.pid)};
    put_tlv(out, Tag::Pid, pid, 4);
    put_str(out, Tag::Peer, m.peer);
    put_str(out, Tag::Ifname, m.ifname);
    put_u8(out, Tag::Phase, m.phase);
    put_arr(out, Tag::Local4, m.local4);
    put_arr(out, Tag::Remote4, m.remote4);
    put_arr(out, Tag::Local6, m.local6);
    put_arr(out, Tag::Remote6, m.remote6);
    put_u16(out, Tag::Mtu, m.mtu);
    put_u16(out, Tag::Session, m.session);
    put_arr(out, Tag::AcMac, m.ac_mac);
    put_str(out, Tag::EthIfname, m.eth_ifname);
    put_u8(out, Tag::ExitStatus, m.exit_status);
    put_str(out, Tag::Plugins, m.plugins);
    put_str(out, Tag::Plugin, m.plugin);
    put_u8(out, Tag::Outcome, m.outcome);
    put_u8(out, Tag::UpType, m.up_type);
    put_str(out, Tag::Text, m.text);
    const size_t len = out.size() - kHeader;
    out[4] = static_cast<uint8_t>(len >> 8);
    out[5] = static_cast<uint8_t>(len);
    return out;
}

std::variant<Message, DecodeError> decode(std::span<const uint8_t> b)
{
    if (b.size() > kMaxMessage)
        return DecodeError::TooLong;
    if (b.size() < kHeader)
        return DecodeError::TooShort;
    if (b[0] != 'P' || b[1] != 'K')
        return DecodeError::BadMagic;
    if (b[2] != kVersion && b[2] != kVersion2)
        return DecodeError::BadVersion;
    const auto last = static_cast<uint8_t>(b[2] == kVersion ? MsgType::Exit : MsgType::Problem);
    if (b[3] < static_cast<uint8_t>(MsgType::Hello) || b[3] > last)
        return DecodeError::BadType;
    // Version 2 is Applied and Problem only: the other types are written as version 1.
    if (b[2] == kVersion2 && b[3] != static_cast<uint8_t>(MsgType::Applied) &&
        b[3] != static_cast<uint8_t>(MsgType::Problem))
        return DecodeError::BadVersion;
    if ((static_cast<size_t>(b[4]) << 8 | b[5]) != b.size() - kHeader)
        return DecodeError::LengthMismatch;
    Message m;
    m.type = static_cast<MsgType>(b[3]);
    bool seen[256] = {};
    for (size_t i = kHeader; i < b.size();) {
        if (b.size() - i < 2)
            return DecodeError::TruncatedTlv;
        const uint8_t tag = b[i];
        const size_t n = b[i + 1];
        i += 2;
        if (b.size() - i < n)
            return DecodeError::TruncatedTlv;
        auto v = b.subspan(i, n);
        i += n;
        const int want = tag_size(tag);
        if (want == -1)
            continue;  // unknown: skipped
        if (seen[tag])
            return DecodeError::DuplicateTag;
        seen[tag] = true;
        if (want == -2) {
            if (n == 0)  // n <= 255 = kMaxText: the length is one byte
                return DecodeError::BadTlvSize;
            if (!good_text(v))
                return DecodeError::BadString;
        } else if (want == 0) {
            if (n == 0 || n > kMaxString)
                return DecodeError::BadTlvSize;
            if (!good_string(v))
                return DecodeError::BadString;
        } else if (static_cast<size_t>(want) != n) {
            return DecodeError::BadTlvSize;
        }
        std::string s(v.begin(), v.end());
        switch (static_cast<Tag>(tag)) {
        case Tag::Pid:
            m.pid = static_cast<uint32_t>(v[0]) << 24 | static_cast<uint32_t>(v[1]) << 16 |
                    static_cast<uint32_t>(v[2]) << 8 | v[3];
            break;
        case Tag::Peer: m.peer = s; break;
        case Tag::Ifname: m.ifname = s; break;
        case Tag::EthIfname: m.eth_ifname = s; break;
        case Tag::Phase: m.phase = v[0]; break;
        case Tag::ExitStatus: m.exit_status = v[0]; break;
        case Tag::Local4: std::copy(v.begin(), v.end(), m.local4.emplace().begin()); break;
        case Tag::Remote4: std::copy(v.begin(), v.end(), m.remote4.emplace().begin()); break;
        case Tag::Local6: std::copy(v.begin(), v.end(), m.local6.emplace().begin()); break;
        case Tag::Remote6: std::copy(v.begin(), v.end(), m.remote6.emplace().begin()); break;
        case Tag::AcMac: std::copy(v.begin(), v.end(), m.ac_mac.emplace().begin()); break;
        case Tag::Mtu: m.mtu = static_cast<uint16_t>(v[0] << 8 | v[1]); break;
        case Tag::Session: m.session = static_cast<uint16_t>(v[0] << 8 | v[1]); break;
        case Tag::Plugins: m.plugins = s; break;
        case Tag::Plugin: m.plugin = s; break;
        case Tag::Outcome: m.outcome = v[0]; break;
        case Tag::UpType: m.up_type = v[0]; break;
        case Tag::Text: m.text = s; break;
        }
    }
    if (m.pid == 0 || (m.type == MsgType::Phase && !m.phase) || (m.type == MsgType::Exit && !m.exit_status) ||
        (m.type == MsgType::Applied && (m.plugin.empty() || !m.outcome || !m.up_type)) ||
        (m.type == MsgType::Problem && m.text.empty()))
        return DecodeError::MissingField;
    if (m.type == MsgType::Applied && (*m.outcome > 1 || (*m.up_type != static_cast<uint8_t>(MsgType::IpUp) &&
                                                          *m.up_type != static_cast<uint8_t>(MsgType::Ipv6Up))))
        return DecodeError::BadValue;
    return m;
}

std::string printable(std::string_view s)
{
    std::string out(s.substr(0, kMaxText));
    for (char& c : out)
        if (static_cast<unsigned char>(c) < 0x20 || static_cast<unsigned char>(c) >= 0x7f)
            c = '?';
    return out;
}

std::string_view error_name(DecodeError e)
{
    switch (e) {
    case DecodeError::TooShort: return "too short";
    case DecodeError::TooLong: return "too long";
    case DecodeError::BadMagic: return "bad magic";
    case DecodeError::BadVersion: return "unknown version";
    case DecodeError::BadType: return "unknown message type";
    case DecodeError::LengthMismatch: return "length does not match";
    case DecodeError::TruncatedTlv: return "truncated field";
    case DecodeError::BadTlvSize: return "field of the wrong size";
    case DecodeError::BadString: return "invalid characters";
    case DecodeError::DuplicateTag: return "duplicate field";
    case DecodeError::MissingField: return "missing field";
    case DecodeError::BadValue: return "value out of range";
    }
    return "?";
}

std::string_view type_name(MsgType t)
{
    switch (t) {
    case MsgType::Hello: return "hello";
    case MsgType::Phase: return "phase";
    case MsgType::IpUp: return "ip-up";
    case MsgType::IpDown: return "ip-down";
    case MsgType::Ipv6Up: return "ipv6-up";
    case MsgType::Ipv6Down: return "ipv6-down";
    case MsgType::LinkDown: return "link-down";
    case MsgType::Exit: return "exit";
    case MsgType::Applied: return "applied";
    case MsgType::Problem: return "problem";
    }
    return "?";
}

}  // namespace pppkit::supervisor::event
