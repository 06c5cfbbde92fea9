// pop3.hpp - MyDNS's POP3 notification: greeting, [STLS], USER/PASS or
// APOP, QUIT, over our own socket bound to the link (and to the source
// address the provider records); TLS for POP3S and after STLS.
#pragma once

#include "ddns/io/attempt.hpp"

namespace pppkit::ddns::io {

[[nodiscard]] Answer pop3_notify(const Ctx& c);

}  // namespace pppkit::ddns::io
