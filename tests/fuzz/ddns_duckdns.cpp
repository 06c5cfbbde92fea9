// Fuzz target: the DuckDNS answer classifier.
#include "ddns_common.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size)
{
    fuzz::expect_answer(pppkit::ddns::classify_duckdns(fuzz::http_input(data, size)));
    return 0;
}
