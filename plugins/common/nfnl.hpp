// nfnl.hpp - set-element updates in one of pppkit's own nftables sets, sent
// as one nfnetlink batch without libnftables.
//
// Why: before every command libnftables re-reads the kernel's tables, chains
// and sets (five netlink dumps) whenever anything changed since its last
// command, and then parses and evaluates the text. Adding "ppp0" to a map
// needs none of that: it is one NEWSETELEM message. Everything else (tables,
// chains, rules, and the repair path when a batch is refused) goes through
// libnftables (nft.hpp). The batch is still one transaction: all of it
// applies, or none.
//
// Scope: keys are interface names (nft type ifname, 16 bytes) and map values
// are 16-bit numbers in network order (e.g. tcp option maxseg size). Nothing
// else is supported, on purpose.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace pppkit::nfnl {

struct Change {
    bool add = true;                // false: delete
    std::string set;                // set or map name in the table
    std::string key;                // an interface name (at most 15 bytes)
    std::optional<uint16_t> value;  // map data, host order (maps only; ignored on delete)
    bool operator==(const Change&) const = default;
};

// The batch for changes in table `table` of family inet, as bytes: BATCH_BEGIN,
// one NEWSETELEM/DELSETELEM per change (each asking for an ACK, with
// sequence numbers seq+1, seq+2, ...), BATCH_END. Pure; unit-tested.
std::vector<uint8_t> encode_batch(std::string_view table, const std::vector<Change>& changes, uint32_t seq);

// One NETLINK_NETFILTER socket, kept for the life of the process (opened
// before the link is up, like nft::Context).
class Socket {
public:
    Socket();
    ~Socket();
    Socket(const Socket&) = delete;
    Socket& operator=(const Socket&) = delete;
    [[nodiscard]] bool valid() const { return fd_ >= 0; }

    // Sends the batch and reads the kernel's answers. Returns 0 when every
    // change was applied, else the errno of the first refusal (ENOENT: no
    // such table, set or element; EEXIST: the key has another value; ...),
    // and then nothing was applied.
    int commit(std::string_view table, const std::vector<Change>& changes);

private:
    int fd_ = -1;
    uint32_t seq_ = 0;
};

}  // namespace pppkit::nfnl
