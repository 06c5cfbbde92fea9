// guard.hpp - the flush guard's table (firewall.hpp, guard_ruleset) built
// with libnftnl and sent over a NETLINK_NETFILTER socket (libmnl) that
// pppkitd keeps for its whole life: the table has NFT_TABLE_F_OWNER, so the
// kernel deletes it when that socket closes (pppkitd ended) and refuses any
// other socket's change to it. Without libnftables: pppkitd does not keep
// libnftables loaded between repairs (make bench: idle RSS), and a context
// loaded per repair cannot own a table that must outlive it.
//
// The rules are guard_ruleset()'s, as nft 1.0.6 compiles them (nft
// --debug=netlink); tests/netns/pppkitd_drift.test.sh compares the listing.
#pragma once

#include <string_view>

#include "common/nfnl.hpp"

namespace pppkit::supervisor {

class GuardSocket {
public:
    [[nodiscard]] bool valid() const { return nl_.valid(); }

    // 0 when chain `chain` of table inet `table` exists, else the kernel's
    // errno (ENOENT: no such table or chain).
    int chain_exists(std::string_view table, std::string_view chain);
    // Adds table inet pppkit_guard with its four chains and five rules in one
    // transaction, owned by this socket. 0, or the errno of the refusal
    // (EOPNOTSUPP/EINVAL: a kernel before 5.12 without the owner flag), and
    // then nothing was added.
    int load();
    // Deletes table inet pppkit_guard (only this socket may). 0 or an errno.
    int remove();

private:
    nfnl::Socket nl_;  // the owner of the table: open for pppkitd's life
};

}  // namespace pppkit::supervisor
