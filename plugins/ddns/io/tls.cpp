#include "ddns/io/tls.hpp"

#include <arpa/inet.h>
#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/x509v3.h>
#include <poll.h>
#include <syslog.h>

#include "ddns/io/log.hpp"

namespace pppkit::ddns::io {

namespace {

std::string openssl_error(const char* fallback)
{
    unsigned long e = ERR_get_error();
    if (e == 0)
        return fallback;
    char buf[256];
    ERR_error_string_n(e, buf, sizeof buf);
    return buf;
}

// A failed verification or handshake: not transient, the profile's TLS is wrong.
Answer tls_failure(const std::string& what)
{
    Answer a = transient("TLS: " + what);
    a.outcome = Outcome::ProtocolError;
    return a;
}

// The pinned CA file's certificates (and CRLs) into store; false: none.
bool load_pinned(X509_STORE* store, const std::string& pem)
{
    std::unique_ptr<BIO, decltype(&BIO_free)> bio(BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size())), BIO_free);
    if (!bio)
        return false;
    STACK_OF(X509_INFO)* infos = PEM_X509_INFO_read_bio(bio.get(), nullptr, nullptr, nullptr);
    if (!infos)
        return false;
    int added = 0;
    for (int i = 0; i < sk_X509_INFO_num(infos); ++i) {
        X509_INFO* in = sk_X509_INFO_value(infos, i);
        if (in->x509 && X509_STORE_add_cert(store, in->x509) == 1)
            ++added;
        if (in->crl)
            (void)X509_STORE_add_crl(store, in->crl);
    }
    sk_X509_INFO_pop_free(infos, X509_INFO_free);
    return added > 0;
}

}  // namespace

std::optional<Answer> TlsSession::connect(int fd, const std::string& host, const Ctx& c)
{
    ERR_clear_error();
    ctx_.reset(SSL_CTX_new(TLS_client_method()));
    if (!ctx_)
        return transient("TLS: " + openssl_error("cannot create a TLS context"));
    SSL_CTX* ctx = ctx_.get();
    (void)SSL_CTX_set_min_proto_version(ctx, TLS1_2_VERSION);
    SSL_CTX_set_options(ctx, SSL_OP_IGNORE_UNEXPECTED_EOF);  // an EOF is the end, as a close_notify
    X509_STORE* store = SSL_CTX_get_cert_store(ctx);
    // as libcurl: a pinned intermediate or server certificate is an anchor too
    (void)X509_STORE_set_flags(store, X509_V_FLAG_PARTIAL_CHAIN | X509_V_FLAG_TRUSTED_FIRST);
    if (!c.ca_blob.empty()) {
        // only the pinned CA: neither the system bundle nor the hashed directory is read
        if (!load_pinned(store, c.ca_blob))
            return tls_failure("no certificate in ca-file " + c.p->ca_file);
    } else if (SSL_CTX_load_verify_dir(ctx, kSystemCaPath) != 1) {
        // the system's trust store as the hashed directory: OpenSSL reads the one issuer it needs
        return tls_failure("cannot use the trust store " + std::string(kSystemCaPath));
    }
    in6_addr a6{};
    in_addr a4{};
    const bool literal = inet_pton(AF_INET6, host.c_str(), &a6) == 1 || inet_pton(AF_INET, host.c_str(), &a4) == 1;
    ssl_.reset(SSL_new(ctx));
    if (!ssl_ || SSL_set_fd(ssl_.get(), fd) != 1)
        return transient("TLS: " + openssl_error("cannot create a TLS session"));
    SSL* ssl = ssl_.get();
    if (!literal)
        (void)SSL_set_tlsext_host_name(ssl, host.c_str());  // SNI names a host, never an address
    if (c.p->insecure) {
        SSL_set_verify(ssl, SSL_VERIFY_NONE, nullptr);
        log_line(LOG_WARNING,
                 "profile " + c.p->name + ": insecure-skip-verify = yes, the server's certificate is NOT verified");
    } else {
        SSL_set_verify(ssl, SSL_VERIFY_PEER, nullptr);
        SSL_set_hostflags(ssl, X509_CHECK_FLAG_NO_PARTIAL_WILDCARDS);
        if (SSL_set1_host(ssl, host.c_str()) != 1)  // an address literal is checked as one (OpenSSL 3)
            return tls_failure("cannot check the certificate for " + host);
    }
    for (;;) {
        int r = SSL_connect(ssl);
        if (r == 1)
            return std::nullopt;
        int err = SSL_get_error(ssl, r);
        if (err != SSL_ERROR_WANT_READ && err != SSL_ERROR_WANT_WRITE) {
            long v = SSL_get_verify_result(ssl);
            if (v != X509_V_OK)
                return tls_failure(std::string("certificate problem: ") + X509_verify_cert_error_string(v));
            return tls_failure(openssl_error("the handshake failed"));
        }
        short ev = POLLOUT;
        if (err == SSL_ERROR_WANT_READ)
            ev = POLLIN;
        long left = c.left_ms();
        pollfd p{fd, ev, 0};
        if (left <= 0 || ::poll(&p, 1, static_cast<int>(left)) != 1)
            return transient("timeout: the TLS handshake did not finish");
    }
}

namespace {

// One SSL_write_ex or SSL_read_ex (op) and what it means for the caller.
template <class Op>
TlsSession::Io transfer(SSL* ssl, Op op, const char* failed)
{
    TlsSession::Io io;
    ERR_clear_error();
    if (op(&io.n) == 1)
        return io;
    io.n = 0;
    int err = SSL_get_error(ssl, 0);
    if (err == SSL_ERROR_WANT_READ)
        io.events = POLLIN;
    else if (err == SSL_ERROR_WANT_WRITE)
        io.events = POLLOUT;
    else if (err == SSL_ERROR_ZERO_RETURN)
        io.closed = true;
    else
        io.error = openssl_error(failed);
    return io;
}

}  // namespace

TlsSession::Io TlsSession::send(const char* data, size_t len)
{
    SSL* ssl = ssl_.get();
    return transfer(
        ssl, [&](size_t* n) { return SSL_write_ex(ssl, data, len, n); }, "TLS send failed");
}

TlsSession::Io TlsSession::recv(char* data, size_t len)
{
    SSL* ssl = ssl_.get();
    return transfer(
        ssl, [&](size_t* n) { return SSL_read_ex(ssl, data, len, n); }, "TLS receive failed");
}

}  // namespace pppkit::ddns::io
