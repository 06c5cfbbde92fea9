// md5.cpp - RFC 1321, little-endian words, 64-byte blocks.
#include "ddns/core/md5.hpp"

#include <cmath>
#include <cstring>

namespace pppkit::ddns {
namespace {

constexpr uint32_t rotl(uint32_t x, int c) { return (x << c) | (x >> (32 - c)); }

constexpr int kShift[64] = {7,  12, 17, 22, 7,  12, 17, 22, 7,  12, 17, 22, 7,  12, 17, 22, 5,  9,  14, 20, 5,  9,
                            14, 20, 5,  9,  14, 20, 5,  9,  14, 20, 4,  11, 16, 23, 4,  11, 16, 23, 4,  11, 16, 23,
                            4,  11, 16, 23, 6,  10, 15, 21, 6,  10, 15, 21, 6,  10, 15, 21, 6,  10, 15, 21};

// K[i] = floor(2^32 * |sin(i + 1)|), computed once.
const uint32_t* constants()
{
    static uint32_t k[64];
    static bool done = false;
    if (!done) {
        for (int i = 0; i < 64; ++i)
            k[i] = static_cast<uint32_t>(std::floor(std::fabs(std::sin(static_cast<double>(i + 1))) * 4294967296.0));
        done = true;
    }
    return k;
}

void block(uint32_t h[4], const uint8_t* p)
{
    const uint32_t* k = constants();
    uint32_t m[16];
    for (size_t i = 0; i < 16; ++i)
        m[i] = static_cast<uint32_t>(p[i * 4]) | static_cast<uint32_t>(p[i * 4 + 1]) << 8 |
               static_cast<uint32_t>(p[i * 4 + 2]) << 16 | static_cast<uint32_t>(p[i * 4 + 3]) << 24;
    uint32_t a = h[0], b = h[1], c = h[2], d = h[3];
    for (int i = 0; i < 64; ++i) {
        uint32_t f;
        int g;
        if (i < 16) {
            f = (b & c) | (~b & d);
            g = i;
        } else if (i < 32) {
            f = (d & b) | (~d & c);
            g = (5 * i + 1) % 16;
        } else if (i < 48) {
            f = b ^ c ^ d;
            g = (3 * i + 5) % 16;
        } else {
            f = c ^ (b | ~d);
            g = (7 * i) % 16;
        }
        uint32_t tmp = d;
        d = c;
        c = b;
        b = b + rotl(a + f + k[i] + m[g], kShift[i]);
        a = tmp;
    }
    h[0] += a;
    h[1] += b;
    h[2] += c;
    h[3] += d;
    std::memset(m, 0, sizeof m);
}

}  // namespace

std::array<uint8_t, 16> md5(std::string_view data)
{
    uint32_t h[4] = {0x67452301, 0xefcdab89, 0x98badcfe, 0x10325476};
    size_t n = data.size();
    const auto* p = reinterpret_cast<const uint8_t*>(data.data());
    size_t full = n / 64 * 64;
    for (size_t i = 0; i < full; i += 64)
        block(h, p + i);
    uint8_t tail[128] = {};
    size_t rest = n - full;
    std::memcpy(tail, p + full, rest);
    tail[rest] = 0x80;
    size_t tlen = rest + 1 + 8 <= 64 ? 64 : 128;
    uint64_t bits = static_cast<uint64_t>(n) * 8;
    for (int i = 0; i < 8; ++i)
        tail[tlen - 8 + i] = static_cast<uint8_t>(bits >> (8 * i));
    block(h, tail);
    if (tlen == 128)
        block(h, tail + 64);
    std::memset(tail, 0, sizeof tail);
    std::array<uint8_t, 16> out{};
    for (int i = 0; i < 4; ++i)
        for (int j = 0; j < 4; ++j)
            out[i * 4 + j] = static_cast<uint8_t>(h[i] >> (8 * j));
    return out;
}

std::string md5_hex(std::string_view data)
{
    static const char* hex = "0123456789abcdef";
    std::string s;
    for (uint8_t b : md5(data)) {
        s += hex[b >> 4];
        s += hex[b & 15];
    }
    return s;
}

}  // namespace pppkit::ddns
