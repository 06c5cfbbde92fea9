// fingerprint.cpp - fingerprint() of profile.hpp, alone in its object file:
// it is the only part of the profile code that needs MD5 (OpenSSL), and
// only the DDNS worker calls it. The schema, which every plugin and pppkitd
// link, pulls profile.o from the core archive but not this file, so
// --as-needed leaves libcrypto out of them.
#include "ddns/core/md5.hpp"
#include "ddns/core/profile.hpp"

namespace pppkit::ddns {

std::string fingerprint(const Profile& p, const secrets::Secrets& s)
{
    std::string in = p.canonical;
    for (const std::string* ref : {&p.password_ref, &p.token_ref}) {
        in += '\0';
        if (!ref->empty())
            if (const std::string* v = s.get(*ref))
                in += *v;
    }
    std::string hex = md5_hex(in).substr(0, 16);
    secrets::wipe(in);
    return hex;
}

}  // namespace pppkit::ddns
