#include "common/nft_json.hpp"

#include <nlohmann/json.hpp>

namespace pppkit::nft {
namespace {

using nlohmann::json;

// The listing's array, or nullptr. parse() without exceptions returns a
// "discarded" value for malformed text.
std::optional<json> items(std::string_view text)
{
    json doc = json::parse(text, nullptr, false);
    if (doc.is_discarded() || !doc.is_object())
        return std::nullopt;
    auto it = doc.find("nftables");
    if (it == doc.end() || !it->is_array())
        return std::nullopt;
    return std::move(*it);
}

std::string value_text(const json& v)
{
    if (v.is_string())
        return v.get<std::string>();
    if (v.is_number_unsigned())
        return std::to_string(v.get<uint64_t>());
    if (v.is_number_integer() && v.get<int64_t>() >= 0)
        return std::to_string(v.get<int64_t>());
    return {};
}

// One entry of "elem": "ppp0", ["ppp0", 1414], or either wrapped as
// {"elem": {"val": ..., ...}} when the element carries options (comment:
// set to the element's comment, if it has one).
std::optional<std::pair<std::string, std::string>> element(const json& e, std::string* comment)
{
    const json* x = &e;
    if (x->is_object()) {
        auto w = x->find("elem");
        if (w == x->end() || !w->is_object())
            return std::nullopt;
        auto v = w->find("val");
        if (v == w->end())
            return std::nullopt;
        if (auto c = w->find("comment"); c != w->end() && c->is_string())
            *comment = c->get<std::string>();
        x = &*v;
    }
    if (x->is_string())
        return std::pair{x->get<std::string>(), std::string()};
    if (x->is_array() && x->size() == 2 && (*x)[0].is_string())
        return std::pair{(*x)[0].get<std::string>(), value_text((*x)[1])};
    return std::nullopt;
}

}  // namespace

std::optional<std::vector<SetListing>> sets_of(std::string_view text)
{
    auto list = items(text);
    if (!list)
        return std::nullopt;
    std::vector<SetListing> out;
    for (const auto& item : *list) {
        if (!item.is_object())
            continue;
        auto it = item.find("set");
        if (it == item.end())
            it = item.find("map");
        if (it == item.end() || !it->is_object())
            continue;
        auto name = it->find("name");
        if (name == it->end() || !name->is_string())
            continue;
        SetListing s;
        s.name = name->get<std::string>();
        if (auto c = it->find("comment"); c != it->end() && c->is_string())
            s.comment = c->get<std::string>();
        if (auto el = it->find("elem"); el != it->end() && el->is_array())
            for (const auto& e : *el) {
                std::string comment;
                if (auto kv = element(e, &comment)) {
                    if (!comment.empty())
                        s.comments.emplace_back(kv->first, std::move(comment));
                    s.elems.push_back(std::move(*kv));
                }
            }
        out.push_back(std::move(s));
    }
    return out;
}

bool has_table(std::string_view text)
{
    auto list = items(text);
    if (!list)
        return false;
    for (const auto& item : *list)
        if (item.is_object() && item.contains("table"))
            return true;
    return false;
}

}  // namespace pppkit::nft
