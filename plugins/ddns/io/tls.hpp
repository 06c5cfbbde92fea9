// tls.hpp - TLS with OpenSSL on a socket we connected ourselves (POP3S, and
// POP3 after STLS): the server's certificate is verified against the pinned
// CA only (ca-file), else the system's hashed trust store, and must name the
// host (or address) we asked for; insecure-skip-verify turns both off, loudly.
// The same checks libcurl makes for the HTTP providers (io/curl.cpp).
#pragma once

#include <openssl/ssl.h>

#include <memory>
#include <optional>
#include <string>
#include <variant>

#include "ddns/io/attempt.hpp"

namespace pppkit::ddns::io {

class TlsSession {
public:
    // The handshake on the connected, non-blocking fd, within c's deadline.
    // nullopt: established.
    [[nodiscard]] std::optional<Answer> connect(int fd, const std::string& host, const Ctx& c);
    [[nodiscard]] bool active() const { return ssl_ != nullptr; }

    // What a send or a receive did: n bytes (0 with events set: wait for
    // them and call again), or failed with the reason.
    struct Io {
        size_t n = 0;
        short events = 0;     // POLLIN or POLLOUT to wait for; 0: done or failed
        bool closed = false;  // the peer closed the connection
        std::optional<std::string> error;
    };
    [[nodiscard]] Io send(const char* data, size_t len);
    [[nodiscard]] Io recv(char* data, size_t len);

private:
    struct CtxFree {
        void operator()(SSL_CTX* x) const noexcept { SSL_CTX_free(x); }
    };
    struct SslFree {
        void operator()(SSL* x) const noexcept { SSL_free(x); }
    };
    std::unique_ptr<SSL_CTX, CtxFree> ctx_;
    std::unique_ptr<SSL, SslFree> ssl_;
};

}  // namespace pppkit::ddns::io
