// curl.hpp - libcurl handles and lists owned by std::unique_ptr, the TLS
// settings every connection gets, and libcurl's errors as an Answer.
#pragma once

#include <curl/curl.h>

#include <memory>
#include <string>

#include "ddns/io/attempt.hpp"

namespace pppkit::ddns::io {

struct EasyDeleter {
    void operator()(CURL* h) const noexcept { curl_easy_cleanup(h); }
};
struct SlistDeleter {
    void operator()(curl_slist* l) const noexcept { curl_slist_free_all(l); }
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
