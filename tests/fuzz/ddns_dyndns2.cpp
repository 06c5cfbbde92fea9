// Fuzz target: the dyndns2 answer classifier (dyndns2, No-IP, deSEC), for
// one and for three host names.
#include "ddns_common.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size)
{
    using namespace pppkit::ddns;
    auto a = fuzz::http_input(data, size);
    for (Provider prov : {Provider::Dyndns2, Provider::Noip, Provider::Desec})
        for (size_t hosts : {1, 3})
            fuzz::expect_answer(classify_dyndns2(prov, a, hosts, "203.0.113.7"));
    return 0;
}
