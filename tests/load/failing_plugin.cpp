// failing_plugin.cpp - a TEST-ONLY plugin (never shipped, never built by
// "make"): the real host (plugins/host/host.cpp + pppd_shim.c) around an
// adapter that fails where PPPKIT_TEST_FAIL says, so the load tier can show
// that a plugin which cannot initialise stops pppd before it dials.
//   make       pppkit_make_plugin() throws a std::exception
//   null       pppkit_make_plugin() returns nullptr
//   options    register_options() throws something that is not a std::exception
//   many       registers more options than the shim's table holds
//   configure  configure() throws
//   ip-up      on_ip_up() throws (logged; pppd goes on)
//   (unset)    nothing fails
#include <cstdlib>
#include <stdexcept>
#include <string>

#include "host/host.hpp"

namespace {

using namespace pppkit;

bool fails(const char* where)
{
    const char* v = std::getenv("PPPKIT_TEST_FAIL");
    return v != nullptr && std::string(v) == where;
}

class Failing final : public host::Plugin {
public:
    const char* name() const noexcept override { return "pppkit-failtest"; }
    void register_options() override
    {
        if (fails("options"))
            throw 42;
        if (fails("many"))
            for (int i = 0; i < 40; ++i)
                host::add_option("pppkit-failtest-x", "filler", false,
                                 [](std::string_view) { return std::optional<std::string>(); });
    }
    std::vector<std::string> configure() override
    {
        if (fails("configure"))
            throw std::runtime_error("forced failure in configure");
        return {};
    }
    void on_ip_up(const host::Link&) override
    {
        if (fails("ip-up"))
            throw std::runtime_error("forced failure in ip-up");
        host::log(host::Level::Info, "ip-up handled");
    }
};

}  // namespace

pppkit::host::Plugin* pppkit_make_plugin()
{
    if (fails("make"))
        throw std::runtime_error("forced failure in pppkit_make_plugin");
    if (fails("null"))
        return nullptr;
    return new Failing();
}
