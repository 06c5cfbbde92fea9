// Fuzz target: the DDNS state file. Whatever the file holds, parse_state
// returns a state that writes and reads back unchanged, and whose shown
// text (address, detail, suspended-why) is printable and bounded.
#include "ddns_common.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size)
{
    using namespace pppkit::ddns;
    std::string_view in(reinterpret_cast<const char*>(data), size);
    bool corrupt = false;
    State s = parse_state(in, &corrupt);
    std::string text = serialize_state(s);
    bool corrupt2 = false;
    State back = parse_state(text, &corrupt2);
    if (corrupt2)
        fuzz::fail("a serialized state reads back as corrupt", text);
    if (serialize_state(back) != text)
        fuzz::fail("a state does not read back as written", text);
    // What `pppkit ddns status` shows of the state must be printable, even
    // when the file was damaged (the fingerprint is only compared).
    for (const auto* f : {&s.v4, &s.v6}) {
        fuzz::expect_server_text("state detail", f->detail);
        fuzz::expect_server_text("state address", f->address);
        if (f->failures < 0 || f->last_attempt < 0 || f->next_attempt < 0 || f->last_success < 0)
            fuzz::fail("a negative count or time in the state", text);
    }
    fuzz::expect_server_text("state suspended-why", s.suspended_why);
    // The policy on whatever was read: no UB, no overflow (UBSan).
    Profile p;
    p.name = "fuzz";
    p.keepalive_s = 86400;
    p.min_interval_s = 600;
    for (auto f : {Family::V4, Family::V6}) {
        (void)decide(p, s, f, "203.0.113.7", "fp", 1700000000, false);
        (void)next_wakeup(p, s, f);
        State t = s;
        Answer a;
        a.outcome = Outcome::RetryLater;
        record(t, p, f, "203.0.113.7", a, "fp", 1700000000, 0.9);
    }
    return 0;
}
