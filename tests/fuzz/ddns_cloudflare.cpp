// Fuzz target: Cloudflare's API answers (zone lookup, record lookup,
// PATCH). The zone and record ids go into the next request's URL, so they
// must be safe there; the record's content is the server's text.
#include "ddns_common.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size)
{
    using namespace pppkit::ddns;
    auto a = fuzz::http_input(data, size);
    Profile p;
    p.name = "fuzz";
    p.provider = Provider::Cloudflare;
    p.zone = "example.org";
    p.record = "home.example.org";
    p.hostnames = {"home.example.org"};
    Creds c;
    c.token = "tok";

    auto z = cloudflare::parse_zone(a);
    if (const auto* ans = std::get_if<Answer>(&z)) {
        fuzz::expect_answer(*ans);
    } else {
        const auto& zid = std::get<std::string>(z);
        auto req = cloudflare::record_request(p, Family::V4, zid, c);
        fuzz::expect_request_text("record request URL (zone id from the server)", req.url);
    }
    auto r = cloudflare::parse_record(a);
    if (const auto* ans = std::get_if<Answer>(&r)) {
        fuzz::expect_answer(*ans);
    } else {
        const auto& rec = std::get<cloudflare::Record>(r);
        fuzz::expect_server_text("Record.content", rec.content);
        auto req = cloudflare::update_request(p, "zone", rec.id, "203.0.113.7", c);
        fuzz::expect_request_text("update request URL (record id from the server)", req.url);
    }
    fuzz::expect_answer(cloudflare::classify_update(a));
    return 0;
}
