// fingerprint.cpp - fingerprint() of profile.hpp, alone in its object file:
// it is the only part of the profile code that needs OpenSSL (HMAC), and
// only the DDNS worker calls it. The schema, which every plugin and pppkitd
// link, pulls profile.o from the core archive but not this file, so
// --as-needed leaves libcrypto out of them.
#include <openssl/evp.h>
#include <openssl/hmac.h>

#include "ddns/core/profile.hpp"

namespace pppkit::ddns {

std::string fingerprint(const Profile& p, const secrets::Secrets& s, std::string_view key)
{
    std::string in = p.canonical;
    for (const std::string* ref : {&p.password_ref, &p.token_ref}) {
        in += '\0';
        if (!ref->empty())
            if (const std::string* v = s.get(*ref))
                in += *v;
    }
    unsigned char mac[EVP_MAX_MD_SIZE];
    unsigned int n = 0;
    const bool ok = HMAC(EVP_sha256(), key.data(), static_cast<int>(key.size()),
                         reinterpret_cast<const unsigned char*>(in.data()), in.size(), mac, &n) != nullptr;
    secrets::wipe(in);
    if (!ok || n < 8)
        return {};  // never equal to a stored fingerprint: a suspension is looked at again
    static constexpr char kHex[] = "0123456789abcdef";
    std::string hex;
    for (unsigned int i = 0; i < 8; ++i) {
        hex += kHex[mac[i] >> 4];
        hex += kHex[mac[i] & 15];
    }
    return hex;
}

}  // namespace pppkit::ddns
