// ca_file.cpp - read_ca_file() of profile.hpp.
#include <cerrno>
#include <cstring>

#include "ddns/core/profile.hpp"

namespace pppkit::ddns {

std::optional<config::Diagnostic> read_ca_file(const config::Document& doc, const Profile& p, std::string& out,
                                               const trust::Policy& policy)
{
    out.clear();
    if (p.ca_file.empty())
        return std::nullopt;
    // the diagnostic's place: the ca-file line of the profile's section (the
    // last one, as the profile was read)
    config::Diagnostic d;
    d.section = "ddns \"" + p.name + "\"";
    d.key = "ca-file";
    d.value = p.ca_file;
    d.has_value = true;
    for (const auto* s : doc.of_type("ddns")) {
        if (s->name != p.name)
            continue;
        d.section = s->label();
        if (const auto* e = s->get("ca-file")) {
            d.file = e->file;
            d.line = e->line;
        }
    }
    int err = 0;
    if (auto problem = trust::read_file(p.ca_file, out, policy, &err)) {
        out.clear();
        d.problem = "cannot read: " + ((err != 0 && err != ELOOP) ? std::string(std::strerror(err)) : *problem);
        return d;
    }
    if (out.empty()) {
        d.problem = "the file is empty (expected the CA certificates in PEM)";
        return d;
    }
    return std::nullopt;
}

}  // namespace pppkit::ddns
