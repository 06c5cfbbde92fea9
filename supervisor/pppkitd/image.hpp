// image.hpp - pppkitd's image of one of pppkit's tables (inet pppkit_fw,
// inet pppkit_mss): the kernel's own objects, read back with libnftnl by
// netlink dumps right after one of pppkit's commits, kept as the one batch
// that creates them again (table, chains, sets, their elements, rules, in
// that order). A flush puts the table back by sending it: no libnftables
// to load, no ruleset to parse or evaluate, so the repair commits within
// about a millisecond of the flush's notifications, before the flushing
// process's exit closes its netlink socket (that close holds the nftables
// commit lock for an RCU grace period: supervisor/README.md, "Where the
// drift window goes").
//
// Contract: take() only after a commit by pppkit that the caller knows is
// pppkit's full ruleset (drift.cpp: Committed::Prepared); put_back() only
// into a kernel where the table is gone (its NEWTABLE carries NLM_F_EXCL:
// a table by that name makes the kernel refuse the whole batch, EEXIST,
// and nothing changes). A table holding anything the image does not carry
// (stateful objects, flowtables) gives no
// image. Single-threaded, on pppkitd's loop; never logs.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "common/nfnl.hpp"

namespace pppkit::supervisor {

class TableImage {
public:
    enum class Taken : uint8_t {
        Ok,
        Missing,      // no such table: no image
        Unsupported,  // objects or flowtables in it: no image (the full repair puts it back)
        Failed,       // a dump failed or was cut (the ruleset changed during it): no image
    };
    explicit TableImage(std::string_view table) : table_(table) {}

    // Reads table inet `table` now and keeps it as a batch; any outcome but
    // Ok drops the image held before.
    Taken take();
    // Sends the image as one transaction. 0, or the errno of the refusal
    // (EEXIST: the table is there; ENODATA: no image), and then nothing was
    // added.
    int put_back();
    void clear() { batch_.clear(), batch_.shrink_to_fit(), messages_ = 0; }
    [[nodiscard]] bool ready() const { return messages_ != 0; }
    // The image's size in bytes (status, the memory it pins).
    [[nodiscard]] size_t bytes() const { return batch_.size(); }

private:
    std::string table_;
    nfnl::Socket nl_;
    // NEWTABLE ... NEWRULE, each with NLM_F_ACK; numbered when sent
    std::vector<char> batch_;
    uint32_t messages_ = 0;
};

}  // namespace pppkit::supervisor
