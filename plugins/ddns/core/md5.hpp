// md5.hpp - MD5 through OpenSSL's EVP digest, only where a protocol demands
// it: APOP (RFC 1939 §7) and the profile fingerprint.
#pragma once

#include <array>
#include <cstdint>
#include <string>
#include <string_view>

namespace pppkit::ddns {

[[nodiscard]] std::array<uint8_t, 16> md5(std::string_view data);
// Lower-case hex, as APOP sends it.
[[nodiscard]] std::string md5_hex(std::string_view data);

}  // namespace pppkit::ddns
