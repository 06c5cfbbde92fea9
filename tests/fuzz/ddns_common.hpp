// ddns_common.hpp - shared by the DDNS answer targets: the input format and
// the checks every classified answer must pass.
//
// Input: an optional first line holding the HTTP status ("503\n"), then the
// body as the server sent it. Without a status line the status is 200.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "ddns/core/http.hpp"
#include "ddns/core/state.hpp"
#include "oracle.hpp"

namespace fuzz {

// The profile's secrets for every input: no answer may show them (review 19 §1).
inline const std::vector<std::string> kSecrets = {"Pw:s3cr&t/ZZ9", "tok-9f8e7d6c5b4a"};

inline pppkit::ddns::HttpAnswer http_input(const uint8_t* data, size_t size)
{
    std::string_view in(reinterpret_cast<const char*>(data), size);
    pppkit::ddns::HttpAnswer a;
    a.status = 200;
    size_t nl = in.find('\n');
    if (nl != std::string_view::npos && nl >= 1 && nl <= 3 &&
        in.substr(0, nl).find_first_not_of("0123456789") == std::string_view::npos) {
        a.status = std::stol(std::string(in.substr(0, nl)));
        in.remove_prefix(nl + 1);
    }
    a.body = std::string(in);
    a.hidden = {kSecrets, {"dynuser"}};
    return a;
}

// An answer's text is the server's: printable and bounded. Folded into a
// profile's state, it survives a write and a read of the state file unchanged.
inline void expect_answer(const pppkit::ddns::Answer& a)
{
    using namespace pppkit::ddns;
    expect_server_text("Answer.detail", a.detail);
    if (a.echoed)
        expect_server_text("Answer.echoed", *a.echoed);
    for (const auto& secret : kSecrets)
        if (a.detail.find(secret) != std::string::npos)
            fail("Answer.detail shows a secret", a.detail);
    if (a.floor_s < 0)
        fail("Answer.floor_s is negative", std::to_string(a.floor_s));
    Profile p;
    p.name = "fuzz";
    State s;
    record(s, p, Family::V4, "203.0.113.7", a, "fp", 1700000000, 0.5);
    record(s, p, Family::V6, "2001:db8::7", a, "fp", 1700000000, 0.5);
    std::string text = serialize_state(s);
    bool corrupt = false;
    State back = parse_state(text, &corrupt);
    if (corrupt)
        fail("the state after this answer reads back as corrupt", text);
    if (serialize_state(back) != text)
        fail("the state after this answer does not read back as written", text);
    expect_server_text("state v4.detail", s.v4.detail);
    expect_server_text("state suspended_why", s.suspended_why);
}

}  // namespace fuzz
