// nfnl.hpp - set-element updates in one of pppkit's own nftables sets, sent
// as one nfnetlink batch with libnftnl and libmnl, without libnftables.
//
// Why: before every command libnftables re-reads the kernel's tables, chains
// and sets (five netlink dumps) whenever anything changed since its last
// command, and then parses and evaluates the text. Adding "ppp0" to a map
// needs none of that: it is one NEWSETELEM message. Everything else (tables,
// chains, rules, and the repair path when a batch is refused) goes through
// libnftables (nft.hpp). The batch is still one transaction: all of it
// applies, or none.
//
// Scope: keys and map values are interface names (nft type ifname), IPv4
// addresses (ipv4_addr) or 16-bit numbers (e.g. tcp option maxseg size).
// Nothing else is supported, on purpose.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

struct mnl_socket;

namespace pppkit::nfnl {

struct Ifname {  // nft type ifname: at most 15 bytes, sent NUL-padded to 16
    std::string name;
    bool operator==(const Ifname&) const = default;
};
struct Ipv4 {  // nft type ipv4_addr, as a dotted quad
    std::string addr;
    bool operator==(const Ipv4&) const = default;
};
// A key or map value; monostate: none (a set's element, a delete, a flush).
// uint16_t is in host order and sent in network order.
using Value = std::variant<std::monostate, Ifname, Ipv4, uint16_t>;

enum class Op : uint8_t {
    Add,     // NEWSETELEM (an element already there with the same value is no error)
    Delete,  // DELSETELEM (ENOENT when the element is not there)
    Flush,   // DELSETELEM without elements: every element of the set
};

struct Change {
    Op op = Op::Add;
    std::string set;  // set or map name in the table
    Value key;        // none for Flush
    Value data;       // map data; sent with Add only (the kernel deletes by key)
    bool operator==(const Change&) const = default;
};

// The same changes as nft commands ("add element inet TABLE SET { KEY : DATA }",
// "delete element ...", "flush set ..."), one a line: for libnftables where
// there is no socket, dry runs, and the listing in tests. Pure.
std::string nft_text(std::string_view table, const std::vector<Change>& changes);

// One NETLINK_NETFILTER socket, kept for the life of the process (opened
// before the link is up, like nft::Context).
class Socket {
public:
    Socket();
    ~Socket();
    Socket(const Socket&) = delete;
    Socket& operator=(const Socket&) = delete;
    [[nodiscard]] bool valid() const { return nl_ != nullptr; }

    // Sends the changes to table `table` of family inet as one batch
    // (BATCH_BEGIN, one message per change, BATCH_END) and reads the
    // kernel's answers. Returns 0 when every change was applied, else the
    // errno of the first refusal (ENOENT: no such table, set or element;
    // EEXIST: the key has another value; ...), and then nothing was applied.
    // EINVAL, before anything is sent: a key or value that is not what its
    // type holds (e.g. an interface name longer than 15 bytes, "x}y").
    int commit(std::string_view table, const std::vector<Change>& changes);

    // For a batch or request built elsewhere (pppkitd's flush guard) on this
    // socket: reserves n sequence numbers and returns the first; then sends
    // the len bytes at out, whose messages numbered first..last carry NLM_F_ACK, and reads
    // one answer per message. 0, or the errno of the first refusal.
    uint32_t reserve_seq(uint32_t n);
    int transact(const void* out, size_t len, uint32_t first, uint32_t last);
    // The ruleset's generation id now (generation() below, on this socket).
    [[nodiscard]] std::optional<uint32_t> generation();
    // The socket itself, for requests built elsewhere that read answers of
    // their own (pppkitd's table image: dumps); nullptr when not valid.
    [[nodiscard]] mnl_socket* raw() const { return nl_.get(); }

private:
    struct Close {
        void operator()(mnl_socket* s) const;
    };
    std::unique_ptr<mnl_socket, Close> nl_;
    uint32_t seq_ = 0;
};

// NFT_MSG_GETGEN on nl with sequence number seq: the id of the ruleset's
// generation now, which every commit (anyone's) moves on by one. nullopt:
// no socket, no answer within 100 ms, or none that carries it. Older answers queued on
// nl (other sequence numbers) are skipped.
std::optional<uint32_t> generation(mnl_socket* nl, uint32_t seq);

}  // namespace pppkit::nfnl
