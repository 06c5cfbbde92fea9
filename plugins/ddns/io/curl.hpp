// curl.hpp - libcurl handles and lists owned by std::unique_ptr, the TLS
// settings every connection gets, and libcurl's errors as an Answer.
#pragma once

#include <curl/curl.h>

#include <memory>
#include <string>

#include "ddns/io/attempt.hpp"

namespace pppkit::ddns::io {

// libcurl is loaded (dlopen) and initialised at the first HTTP request, not
// at exec: a POP3 profile (TLS through OpenSSL, io/tls.cpp) or a run with
// nothing due never loads it and the 32 libraries it needs, which are most
// of the worker's CPU per update (plugins/ddns/README.md, "Speed"). The
// entry points keep the types of <curl/curl.h>.
struct CurlLib {
    decltype(&::curl_easy_init) easy_init;
    decltype(&::curl_easy_cleanup) easy_cleanup;
    decltype(&::curl_easy_setopt) easy_setopt;
    decltype(&::curl_easy_perform) easy_perform;
    decltype(&::curl_easy_getinfo) easy_getinfo;
    decltype(&::curl_easy_strerror) easy_strerror;
    decltype(&::curl_slist_append) slist_append;
    decltype(&::curl_slist_free_all) slist_free_all;
};
// Sets what the libraries under libcurl read from the environment when they
// are loaded; main() calls it while the worker has no other thread (setenv).
// GNUTLS_NO_IMPLICIT_INIT: GnuTLS is in libcurl's tree only for LDAP (through
// libldap), which the worker never speaks (CURLOPT_PROTOCOLS_STR); without
// it, GnuTLS's constructor initialises itself at every dlopen (its ASN.1
// trees, the system priority file): 0.63 M of 35 M instructions per update.
void prepare_curl_load();
// Loads and initialises libcurl once (CURL_GLOBAL_SSL); nullptr: it cannot
// be, *why says why. The worker never tears it down (it exits).
[[nodiscard]] const CurlLib* load_curl(std::string* why);
// The library load_curl() loaded; only after it succeeded.
[[nodiscard]] const CurlLib& curl();

struct EasyDeleter {
    void operator()(CURL* h) const noexcept { curl().easy_cleanup(h); }
};
struct SlistDeleter {
    void operator()(curl_slist* l) const noexcept { curl().slist_free_all(l); }
};
using Easy = std::unique_ptr<CURL, EasyDeleter>;
using Slist = std::unique_ptr<curl_slist, SlistDeleter>;

// Appends a copy of item to list; false (list unchanged) when out of memory.
[[nodiscard]] bool append(Slist& list, const std::string& item);

// Certificate verification (the pinned CA only, else the system's hashed
// trust store) unless the profile says insecure-skip-verify, loudly.
void tls_settings(CURL* h, const Ctx& c);
[[nodiscard]] Answer curl_failure(CURLcode rc, const char* errbuf, const Ctx& c);

}  // namespace pppkit::ddns::io
