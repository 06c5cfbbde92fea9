// Fuzz target: pppkitd's control request parser (supervisor/core/control),
// which reads what a local client (root or group pppkit) sends to
// /run/pppkit/control; pppkitd runs as root.
// Oracles: no crash, no read past the input (ASan); what parses names a link
// as the configuration could (1-64 printable ASCII bytes, no space or '/',
// not starting with '.'), or none where the verb takes none; format_request
// of it is one line within kMaxRequest that parses back to the same request.
#include <cstdint>
#include <string>

#include "core/control.hpp"
#include "oracle.hpp"

using namespace pppkit::supervisor::control;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size)
{
    const std::string in(reinterpret_cast<const char*>(data), size);
    auto r = parse_request(in);
    if (const auto* e = std::get_if<ParseError>(&r)) {
        (void)error_text(*e);
        return 0;
    }
    const Request& q = std::get<Request>(r);
    const std::string& n = q.name;
    if (n.size() > 64 || !fuzz::printable(n) || n.find_first_of(" /") != std::string::npos ||
        (!n.empty() && n.front() == '.'))
        fuzz::fail("a parsed request names a link no configuration could", in);
    const bool named_verb = q.verb == Verb::Start || q.verb == Verb::Stop || q.verb == Verb::Restart;
    if ((named_verb && n.empty()) || (q.verb == Verb::Reload && !n.empty()))
        fuzz::fail("a parsed request with a name where its verb takes none, or none where it needs one", in);
    if (in.find('\n') == std::string::npos || in.find('\n') >= kMaxRequest)
        fuzz::fail("a request without a newline within kMaxRequest parsed", in);
    const std::string line = format_request(q);
    if (line.size() > kMaxRequest || line.find('\n') != line.size() - 1)
        fuzz::fail("format_request of a parsed request is not one line within kMaxRequest", line);
    auto back = parse_request(line);
    if (!std::holds_alternative<Request>(back) || !(std::get<Request>(back) == q))
        fuzz::fail("parse_request(format_request(r)) != r", line);
    (void)verb_name(q.verb);
    (void)needs_root(q.verb);
    return 0;
}
