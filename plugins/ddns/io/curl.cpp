#include "ddns/io/curl.hpp"

#include <syslog.h>

#include "ddns/io/log.hpp"

namespace pppkit::ddns::io {

namespace {
// Debian's trust store, hashed by update-ca-certificates (ca-certificates).
constexpr const char* kSystemCaPath = "/etc/ssl/certs";
}  // namespace

bool append(Slist& list, const std::string& item)
{
    curl_slist* head = curl_slist_append(list.get(), item.c_str());
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
        curl_easy_setopt(h, CURLOPT_CAINFO_BLOB, &blob);
        curl_easy_setopt(h, CURLOPT_CAPATH, nullptr);
    } else {
        // the system's trust store as the hashed directory: OpenSSL reads the
        // one issuer it needs instead of parsing the whole bundle (~140 certs)
        curl_easy_setopt(h, CURLOPT_CAINFO, nullptr);
        curl_easy_setopt(h, CURLOPT_CAPATH, kSystemCaPath);
    }
    if (c.p->insecure) {
        curl_easy_setopt(h, CURLOPT_SSL_VERIFYPEER, 0L);
        curl_easy_setopt(h, CURLOPT_SSL_VERIFYHOST, 0L);
        log_line(LOG_WARNING,
                 "profile " + c.p->name + ": insecure-skip-verify = yes, the server's certificate is NOT verified");
    } else {
        curl_easy_setopt(h, CURLOPT_SSL_VERIFYPEER, 1L);
        curl_easy_setopt(h, CURLOPT_SSL_VERIFYHOST, 2L);
    }
}

Answer curl_failure(CURLcode rc, const char* errbuf, const Ctx& c)
{
    std::string what = errbuf[0] ? errbuf : curl_easy_strerror(rc);
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
