// Unit tests of the plugin registry (plugins/registry.hpp) and of a plugin's
// view of pppkit.conf (load_config with its own SchemaPart, common/schema.cpp).
#include <doctest/doctest.h>

#include <set>
#include <string>
#include <vector>

#include "common/schema.hpp"
#include "registry.hpp"
#include "testutil.hpp"

using namespace pppkit;

namespace {

std::vector<std::string> diags(const config::LoadResult& r)
{
    std::vector<std::string> v;
    for (const auto& d : r.diags)
        v.push_back(d.str());
    return v;
}

// The same file, loaded by `own` (null: the host's holdoff, no plugin).
std::vector<std::string> load_as(const SchemaPart* own, const std::string& text)
{
    test::write_file("reg.conf", text);
    return diags(load_plugin_config("reg.conf", true, own, trust::Policy{.enforce = false}));
}

}  // namespace

TEST_SUITE("registry")
{
    TEST_CASE("the registry's section names are the sections the plugins' schemas define")
    {
        std::set<std::string> listed(std::begin(kPluginSections), std::end(kPluginSections));
        std::set<std::string> defined;
        for (const auto* part : {&mss::kSchema, &firewall::kSchema, &ddns::kSchema})
            for (const auto& s : part->sections())
                defined.insert(std::string(s.type));
        CHECK(listed == defined);
        CHECK(listed.size() == std::size(kPluginSections));  // no section owned twice
    }

    TEST_CASE("a plugin checks its own sections and accepts the others' as they are")
    {
        const std::string text = "[pppkit]\nstate-dir = /var/lib/pppkit\n"
                                 "[mss]\nmss = 100\n"
                                 "[firewall]\nbogus = 1\n"
                                 "[ddns \"home\"]\nfrobnicate = yes\n";
        struct Row {
            int line;
            const SchemaPart* own;
            std::vector<std::string> want;
        } rows[] = {
            {__LINE__, &mss::kSchema, {"reg.conf:4: [mss] mss: MSS must be 536-65495 (got '100')"}},
            {__LINE__, &firewall::kSchema, {"reg.conf:6: [firewall] bogus: unknown key (got '1')"}},
            {__LINE__, &ddns::kSchema, {"reg.conf:8: [ddns \"home\"] frobnicate: unknown key (got 'yes')"}},
            {__LINE__, nullptr, {}},
        };
        for (const auto& row : rows) {
            CAPTURE(row.line);
            auto got = load_as(row.own, text);
            std::string text_got;
            for (const auto& g : got)
                text_got += g + "\n";
            CAPTURE(text_got);
            // ddns also finds its section has no provider: only the lines named here are looked at
            std::erase_if(got, [](const std::string& d) { return d.find("provider: missing") != std::string::npos; });
            CHECK(got == row.want);
        }
    }

    TEST_CASE("a section no plugin owns is refused by every plugin, and [pppkit] is checked by all")
    {
        for (const auto* own : {&mss::kSchema, &firewall::kSchema, &ddns::kSchema, (const SchemaPart*)nullptr}) {
            CAPTURE(own ? own->plugin : "none");
            auto got = load_as(own, "[fierwall]\nwan = ppp0\n[pppkit]\nnope = 1\n");
            REQUIRE(got.size() == 2);
            CHECK(got[0].rfind("reg.conf:1: [fierwall]: unknown section (known: pppkit, ", 0) == 0);
            CHECK(got[1] == "reg.conf:4: [pppkit] nope: unknown key (got '1')");
        }
    }

    TEST_CASE("the whole schema checks every section")
    {
        test::write_file("reg.conf", "[mss]\nmss = 100\n[firewall]\nbogus = 1\n");
        auto got = diags(load_config("reg.conf", true, trust::Policy{.enforce = false}));
        CHECK(got == std::vector<std::string>{"reg.conf:2: [mss] mss: MSS must be 536-65495 (got '100')",
                                              "reg.conf:4: [firewall] bogus: unknown key (got '1')"});
    }
}
