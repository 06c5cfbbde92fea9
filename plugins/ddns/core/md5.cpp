// md5.cpp - see md5.hpp. OpenSSL 3's default provider carries MD5; a failure
// (an impossible allocation failure or a FIPS-only provider) aborts rather
// than returning a digest that is not one.
#include "ddns/core/md5.hpp"

#include <openssl/evp.h>

#include <cstdlib>

namespace pppkit::ddns {

std::array<uint8_t, 16> md5(std::string_view data)
{
    std::array<uint8_t, 16> out{};
    unsigned int len = 0;
    if (EVP_Digest(data.data(), data.size(), out.data(), &len, EVP_md5(), nullptr) != 1 || len != out.size())
        std::abort();
    return out;
}

std::string md5_hex(std::string_view data)
{
    static constexpr char kHex[] = "0123456789abcdef";
    std::string out;
    for (uint8_t b : md5(data)) {
        out += kHex[b >> 4];
        out += kHex[b & 15];
    }
    return out;
}

}  // namespace pppkit::ddns
