#include "ddns/io/curl.hpp"

#include <dlfcn.h>
#include <syslog.h>

#include <cstdlib>
#include <type_traits>

#include "ddns/io/log.hpp"

namespace pppkit::ddns::io {

namespace {
const CurlLib* g_curl = nullptr;
}  // namespace

void prepare_curl_load()
{
    // libldap calls gnutls_global_init() itself before any use of GnuTLS
    ::setenv("GNUTLS_NO_IMPLICIT_INIT", "1", 1);
}

const CurlLib* load_curl(std::string* why)
{
    static std::string failed;
    if (g_curl || !failed.empty()) {
        *why = failed;
        return g_curl;
    }
    // RTLD_LAZY: each library binds as it would have at exec (its own
    // BIND_NOW flag decides); RTLD_NOW would resolve every PLT slot of all 33
    void* so = ::dlopen("libcurl.so.4", RTLD_LAZY | RTLD_LOCAL);
    if (!so) {
        const char* e = ::dlerror();
        failed = e ? e : "cannot load libcurl.so.4";
        *why = failed;
        return nullptr;
    }
    static CurlLib lib;
    bool ok = true;
    auto sym = [&](auto& fn, const char* name) {
        void* f = ::dlsym(so, name);
        ok = ok && f != nullptr;
        fn = reinterpret_cast<std::remove_reference_t<decltype(fn)>>(f);
    };
    sym(lib.easy_init, "curl_easy_init");
    sym(lib.easy_cleanup, "curl_easy_cleanup");
    sym(lib.easy_setopt, "curl_easy_setopt");
    sym(lib.easy_perform, "curl_easy_perform");
    sym(lib.easy_getinfo, "curl_easy_getinfo");
    sym(lib.easy_strerror, "curl_easy_strerror");
    sym(lib.slist_append, "curl_slist_append");
    sym(lib.slist_free_all, "curl_slist_free_all");
    decltype(&::curl_global_init) global_init = nullptr;
    sym(global_init, "curl_global_init");
    // SSL only: no win32 sockets, no ACK-of-the-global-state dance
    if (!ok || global_init(CURL_GLOBAL_SSL) != CURLE_OK) {
        failed = ok ? "libcurl initialisation failed" : "libcurl.so.4 lacks an entry point";
        *why = failed;
        return nullptr;
    }
    g_curl = &lib;
    return g_curl;
}

const CurlLib& curl() { return *g_curl; }

bool append(Slist& list, const std::string& item)
{
    curl_slist* head = curl().slist_append(list.get(), item.c_str());
    if (!head)
        return false;
    (void)list.release();  // head is the same list, or the new one
    list.reset(head);
    return true;
}

void tls_settings(CURL* h, const Ctx& c)
{
    if (!c.ca_blob.empty()) {
        // only the pinned CA: neither the system bundle nor the hashed directory is read
        curl_blob blob{const_cast<char*>(c.ca_blob.data()), c.ca_blob.size(), CURL_BLOB_COPY};
        curl().easy_setopt(h, CURLOPT_CAINFO_BLOB, &blob);
        curl().easy_setopt(h, CURLOPT_CAPATH, nullptr);
    } else {
        // the system's trust store as the hashed directory: OpenSSL reads the
        // one issuer it needs instead of parsing the whole bundle (~140 certs)
        curl().easy_setopt(h, CURLOPT_CAINFO, nullptr);
        curl().easy_setopt(h, CURLOPT_CAPATH, kSystemCaPath);
    }
    if (c.p->insecure) {
        curl().easy_setopt(h, CURLOPT_SSL_VERIFYPEER, 0L);
        curl().easy_setopt(h, CURLOPT_SSL_VERIFYHOST, 0L);
        log_line(LOG_WARNING,
                 "profile " + c.p->name + ": insecure-skip-verify = yes, the server's certificate is NOT verified");
    } else {
        curl().easy_setopt(h, CURLOPT_SSL_VERIFYPEER, 1L);
        curl().easy_setopt(h, CURLOPT_SSL_VERIFYHOST, 2L);
    }
}

Answer curl_failure(CURLcode rc, const char* errbuf, const Ctx& c)
{
    std::string what = errbuf[0] ? errbuf : curl().easy_strerror(rc);
    switch (rc) {
    case CURLE_COULDNT_RESOLVE_HOST: return transient("DNS: " + what, Transient::Dns);
    case CURLE_INTERFACE_FAILED:
        log_line(LOG_ERR, "profile " + c.p->name + ": cannot bind to " + c.ifname + ", nothing sent: " + what);
        return transient("cannot bind to " + c.ifname);
    case CURLE_OPERATION_TIMEDOUT: return transient("timeout: " + what);
    case CURLE_PEER_FAILED_VERIFICATION:
    case CURLE_SSL_CACERT_BADFILE:
    case CURLE_SSL_CONNECT_ERROR: {
        Answer a = transient("TLS: " + what);
        a.outcome = Outcome::ProtocolError;
        return a;
    }
    default: return transient(what);
    }
}
}  // namespace pppkit::ddns::io
