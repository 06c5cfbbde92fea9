// Fuzz target: the POP3 reply parser and the outcome of each reply, one
// server line per input line ('\r' kept, as the worker reads it), and the
// APOP timestamp of the first line.
#include "ddns/core/pop3.hpp"
#include "ddns_common.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size)
{
    using namespace pppkit::ddns;
    std::string_view in(reinterpret_cast<const char*>(data), size);
    bool first = true;
    while (!in.empty()) {
        size_t nl = in.find('\n');
        std::string_view line = in.substr(0, nl);
        in.remove_prefix(nl == std::string_view::npos ? in.size() : nl + 1);
        auto r = pop3::parse_reply(line);
        if (first) {
            if (auto ts = pop3::apop_timestamp(line)) {
                auto cmd = pop3::apop_command("user", *ts, "secret");
                fuzz::expect_request_text("APOP command (timestamp from the server)", cmd);
            }
            first = false;
        }
        for (auto st : {pop3::Stage::Greeting, pop3::Stage::Stls, pop3::Stage::User, pop3::Stage::Pass})
            fuzz::expect_answer(pop3::classify(st, r, {fuzz::kSecrets, {"user"}}));
    }
    return 0;
}
