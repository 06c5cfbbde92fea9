// nft_json.hpp - what a libnftables JSON listing says about the sets and
// maps of a table (nft::Context::list_json, "nft -j list ..."): the kernel's
// state as data, not nft's text for humans, which changes between nft
// versions. Pure. The listing is read as untrusted text: any shape gives
// nullopt or fewer entries, never an exception.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace pppkit::nft {

struct SetListing {
    std::string name;
    std::string comment;  // "" when none
    // The elements whose key is a string (an interface name, an address),
    // in listing order, each with its map value as text (a string, or a
    // non-negative integer in decimal; "" in a set or for another value).
    // Elements of other shapes (intervals, prefixes, concatenations) are
    // left out.
    std::vector<std::pair<std::string, std::string>> elems;
    // The elements of elems that carry a comment: key and comment, in
    // listing order.
    std::vector<std::pair<std::string, std::string>> comments;
    bool operator==(const SetListing&) const = default;
};

// Every "set" and "map" object of the listing, in order; nullopt when text
// is not a libnftables listing ({"nftables": [...]}).
std::optional<std::vector<SetListing>> sets_of(std::string_view text);

// true when the listing holds a "table" object (e.g. "list table" answered).
bool has_table(std::string_view text);

}  // namespace pppkit::nft
