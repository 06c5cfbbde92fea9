// Fuzz target: the custom provider's classifier, with the token lists of
// ddns.conf.example's custom profile and a few more.
#include "ddns_common.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size)
{
    using namespace pppkit::ddns;
    static const CustomTokens tokens{.success = {"good", "OK", "updated"},
                                     .unchanged = {"nochg", "unchanged"},
                                     .auth_failed = {"badauth", "KO"},
                                     .bad_host = {"nohost", "notfqdn"},
                                     .abuse = {"abuse"},
                                     .retry = {"911", "dnserr"}};
    static const CustomTokens none{};
    auto a = fuzz::http_input(data, size);
    fuzz::expect_answer(classify_custom(tokens, a));
    fuzz::expect_answer(classify_custom(none, a));
    return 0;
}
