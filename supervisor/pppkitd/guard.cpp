#include "pppkitd/guard.hpp"

#include <libmnl/libmnl.h>
#include <libnftnl/batch.h>
#include <libnftnl/chain.h>
#include <libnftnl/common.h>
#include <libnftnl/expr.h>
#include <libnftnl/rule.h>
#include <libnftnl/table.h>
#include <libnftnl/udata.h>
#include <linux/netfilter.h>
#include <linux/netfilter/nf_tables.h>
#include <linux/netfilter/nfnetlink.h>
#include <linux/netfilter_ipv4.h>
#include <net/if.h>
#include <sys/socket.h>

#include <cerrno>
#include <cstdint>
#include <string>
#include <vector>

#include "firewall/core/firewall.hpp"
#include "pppkitd/nftnl_owned.hpp"

namespace pppkit::supervisor {
namespace {

using nftnl::Chain;
using nftnl::Rule;
using nftnl::Table;
using nftnl::Udata;

// The expressions nft compiles guard_ruleset()'s statements to. An
// allocation that fails leaves the rule short: `ok` turns false and the
// whole table is not sent (a short first rule would accept everything).
bool ok = true;
nftnl_expr* expr(const char* name)
{
    nftnl_expr* e = nftnl_expr_alloc(name);
    ok = ok && e != nullptr;
    return e;
}
void meta_load(nftnl_rule* r, uint32_t key)
{
    nftnl_expr* e = r != nullptr ? expr("meta") : nullptr;
    if (e == nullptr) {
        ok = false;
        return;
    }
    nftnl_expr_set_u32(e, NFTNL_EXPR_META_KEY, key);
    nftnl_expr_set_u32(e, NFTNL_EXPR_META_DREG, NFT_REG_1);
    nftnl_rule_add_expr(r, e);
}
void meta_set_mark(nftnl_rule* r)
{
    nftnl_expr* e = r != nullptr ? expr("meta") : nullptr;
    if (e == nullptr) {
        ok = false;
        return;
    }
    nftnl_expr_set_u32(e, NFTNL_EXPR_META_KEY, NFT_META_MARK);
    nftnl_expr_set_u32(e, NFTNL_EXPR_META_SREG, NFT_REG_1);
    nftnl_rule_add_expr(r, e);
}
void and_mask(nftnl_rule* r, uint32_t mask)  // reg 1 = (reg 1 & mask) ^ 0
{
    const uint32_t zero = 0;
    nftnl_expr* e = r != nullptr ? expr("bitwise") : nullptr;
    if (e == nullptr) {
        ok = false;
        return;
    }
    nftnl_expr_set_u32(e, NFTNL_EXPR_BITWISE_SREG, NFT_REG_1);
    nftnl_expr_set_u32(e, NFTNL_EXPR_BITWISE_DREG, NFT_REG_1);
    nftnl_expr_set_u32(e, NFTNL_EXPR_BITWISE_OP, NFT_BITWISE_BOOL);
    nftnl_expr_set_u32(e, NFTNL_EXPR_BITWISE_LEN, sizeof mask);
    nftnl_expr_set(e, NFTNL_EXPR_BITWISE_MASK, &mask, sizeof mask);
    nftnl_expr_set(e, NFTNL_EXPR_BITWISE_XOR, &zero, sizeof zero);
    nftnl_rule_add_expr(r, e);
}
void cmp(nftnl_rule* r, uint32_t op, uint32_t value)
{
    nftnl_expr* e = r != nullptr ? expr("cmp") : nullptr;
    if (e == nullptr) {
        ok = false;
        return;
    }
    nftnl_expr_set_u32(e, NFTNL_EXPR_CMP_SREG, NFT_REG_1);
    nftnl_expr_set_u32(e, NFTNL_EXPR_CMP_OP, op);
    nftnl_expr_set(e, NFTNL_EXPR_CMP_DATA, &value, sizeof value);
    nftnl_rule_add_expr(r, e);
}
void verdict(nftnl_rule* r, int v)
{
    nftnl_expr* e = r != nullptr ? expr("immediate") : nullptr;
    if (e == nullptr) {
        ok = false;
        return;
    }
    nftnl_expr_set_u32(e, NFTNL_EXPR_IMM_DREG, NFT_REG_VERDICT);
    nftnl_expr_set_u32(e, NFTNL_EXPR_IMM_VERDICT, static_cast<uint32_t>(v));
    nftnl_rule_add_expr(r, e);
}
void counter(nftnl_rule* r)
{
    nftnl_expr* e = r != nullptr ? expr("counter") : nullptr;
    if (e == nullptr) {
        ok = false;
        return;
    }
    nftnl_rule_add_expr(r, e);
}

// Appends a message to the batch; false when it is full (it cannot be: the
// buffer is sized for the guard).
bool next(mnl_nlmsg_batch* b) { return mnl_nlmsg_batch_next(b); }
char* cur(mnl_nlmsg_batch* b) { return static_cast<char*>(mnl_nlmsg_batch_current(b)); }

}  // namespace

int GuardSocket::chain_exists(std::string_view table, std::string_view chain)
{
    if (!nl_.valid())
        return EBADF;
    Chain c(nftnl_chain_alloc());
    if (!c)
        return ENOMEM;
    const std::string t(table), n(chain);
    nftnl_chain_set_str(c.get(), NFTNL_CHAIN_TABLE, t.c_str());
    nftnl_chain_set_str(c.get(), NFTNL_CHAIN_NAME, n.c_str());
    std::vector<char> buf(MNL_SOCKET_BUFFER_SIZE);
    const uint32_t seq = nl_.reserve_seq(1);
    nlmsghdr* h = nftnl_nlmsg_build_hdr(buf.data(), NFT_MSG_GETCHAIN, NFPROTO_INET, NLM_F_ACK, seq);
    nftnl_chain_nlmsg_build_payload(h, c.get());
    // the answer: the chain (NEWCHAIN, skipped), then the ACK; or only an error
    return nl_.transact(buf.data(), h->nlmsg_len, seq, seq);
}

int GuardSocket::load()
{
    if (!nl_.valid())
        return EBADF;
    const unsigned lo = ::if_nametoindex("lo");  // iif "lo", as nft resolves it
    if (lo == 0)
        return errno != 0 ? errno : ENODEV;
    const std::string table(firewall::kGuardTable);
    std::vector<char> buf(2 * MNL_SOCKET_BUFFER_SIZE);
    struct Stop {
        void operator()(mnl_nlmsg_batch* b) const { mnl_nlmsg_batch_stop(b); }
    };
    std::unique_ptr<mnl_nlmsg_batch, Stop> batch(mnl_nlmsg_batch_start(buf.data(), MNL_SOCKET_BUFFER_SIZE));
    if (!batch)
        return ENOMEM;
    // BATCH_BEGIN, the table, 4 chains, 5 rules, BATCH_END: 12 numbers of
    // the socket's sequence, reserved with room to spare
    constexpr uint32_t kReserved = 32;
    const uint32_t start = nl_.reserve_seq(kReserved);
    uint32_t seq = start;
    nftnl_batch_begin(cur(batch.get()), seq++);
    next(batch.get());
    const uint32_t first = seq;

    Table t(nftnl_table_alloc());
    Udata comment(nftnl_udata_buf_alloc(NFT_USERDATA_MAXLEN));
    if (!t || !comment)
        return ENOMEM;
    nftnl_table_set_str(t.get(), NFTNL_TABLE_NAME, table.c_str());
    nftnl_table_set_u32(t.get(), NFTNL_TABLE_FLAGS, NFT_TABLE_F_OWNER);
    const std::string text = "pppkit flush guard: drops what inet " + std::string(firewall::kTable) +
                             " has not seen (it is gone); owned by pppkitd";
    nftnl_udata_put_strz(comment.get(), NFTNL_UDATA_TABLE_COMMENT, text.c_str());
    nftnl_table_set_data(t.get(), NFTNL_TABLE_USERDATA, nftnl_udata_buf_data(comment.get()),
                         nftnl_udata_buf_len(comment.get()));
    nlmsghdr* h =
        nftnl_nlmsg_build_hdr(cur(batch.get()), NFT_MSG_NEWTABLE, NFPROTO_INET, NLM_F_CREATE | NLM_F_ACK, seq++);
    nftnl_table_nlmsg_build_payload(h, t.get());
    bool fits = next(batch.get());

    for (const char* hook : {"input", "forward"}) {
        const bool input = std::string_view(hook) == "input";
        Chain c(nftnl_chain_alloc());
        if (!c)
            return ENOMEM;
        // type filter hook HOOK priority filter + 10; policy accept;
        nftnl_chain_set_str(c.get(), NFTNL_CHAIN_TABLE, table.c_str());
        nftnl_chain_set_str(c.get(), NFTNL_CHAIN_NAME, hook);
        nftnl_chain_set_str(c.get(), NFTNL_CHAIN_TYPE, "filter");
        nftnl_chain_set_u32(c.get(), NFTNL_CHAIN_HOOKNUM, input ? NF_INET_LOCAL_IN : NF_INET_FORWARD);
        nftnl_chain_set_s32(c.get(), NFTNL_CHAIN_PRIO, 10);
        nftnl_chain_set_u32(c.get(), NFTNL_CHAIN_POLICY, NF_ACCEPT);
        h = nftnl_nlmsg_build_hdr(cur(batch.get()), NFT_MSG_NEWCHAIN, NFPROTO_INET, NLM_F_CREATE | NLM_F_ACK, seq++);
        nftnl_chain_nlmsg_build_payload(h, c.get());
        fits = fits && next(batch.get());

        ok = true;
        std::vector<Rule> rules;
        // meta mark & 0x80000000 != 0 meta mark set meta mark & 0x7fffffff accept
        static_assert(firewall::kGuardMark == 0x80000000U, "the first rule clears the mark's top bit");
        rules.emplace_back(nftnl_rule_alloc());
        meta_load(rules.back().get(), NFT_META_MARK);
        and_mask(rules.back().get(), firewall::kGuardMark);
        cmp(rules.back().get(), NFT_CMP_NEQ, 0);
        meta_load(rules.back().get(), NFT_META_MARK);
        and_mask(rules.back().get(), ~firewall::kGuardMark);
        meta_set_mark(rules.back().get());
        verdict(rules.back().get(), NF_ACCEPT);
        if (input) {  // iif "lo" accept
            rules.emplace_back(nftnl_rule_alloc());
            meta_load(rules.back().get(), NFT_META_IIF);
            cmp(rules.back().get(), NFT_CMP_EQ, lo);
            verdict(rules.back().get(), NF_ACCEPT);
        }
        rules.emplace_back(nftnl_rule_alloc());  // counter drop
        counter(rules.back().get());
        verdict(rules.back().get(), NF_DROP);
        for (const auto& r : rules)
            if (!r || !ok)
                return ENOMEM;
        for (auto& r : rules) {
            nftnl_rule_set_str(r.get(), NFTNL_RULE_TABLE, table.c_str());
            nftnl_rule_set_str(r.get(), NFTNL_RULE_CHAIN, hook);
            h = nftnl_nlmsg_build_hdr(cur(batch.get()), NFT_MSG_NEWRULE, NFPROTO_INET,
                                      NLM_F_CREATE | NLM_F_APPEND | NLM_F_ACK, seq++);
            nftnl_rule_nlmsg_build_payload(h, r.get());
            fits = fits && next(batch.get());
        }
    }
    // type nat hook prerouting priority dstnat + 10; policy accept; (and
    // postrouting, srcnat + 10): empty (guard_ruleset says why)
    for (const bool pre : {true, false}) {
        Chain c(nftnl_chain_alloc());
        if (!c)
            return ENOMEM;
        nftnl_chain_set_str(c.get(), NFTNL_CHAIN_TABLE, table.c_str());
        nftnl_chain_set_str(c.get(), NFTNL_CHAIN_NAME, pre ? "nat_prerouting" : "nat_postrouting");
        nftnl_chain_set_str(c.get(), NFTNL_CHAIN_TYPE, "nat");
        nftnl_chain_set_u32(c.get(), NFTNL_CHAIN_HOOKNUM, pre ? NF_INET_PRE_ROUTING : NF_INET_POST_ROUTING);
        nftnl_chain_set_s32(c.get(), NFTNL_CHAIN_PRIO, pre ? NF_IP_PRI_NAT_DST + 10 : NF_IP_PRI_NAT_SRC + 10);
        nftnl_chain_set_u32(c.get(), NFTNL_CHAIN_POLICY, NF_ACCEPT);
        h = nftnl_nlmsg_build_hdr(cur(batch.get()), NFT_MSG_NEWCHAIN, NFPROTO_INET, NLM_F_CREATE | NLM_F_ACK, seq++);
        nftnl_chain_nlmsg_build_payload(h, c.get());
        fits = fits && next(batch.get());
    }
    const uint32_t last = seq - 1;
    nftnl_batch_end(cur(batch.get()), seq++);
    fits = fits && next(batch.get());
    if (!fits || seq - start > kReserved)
        return E2BIG;
    return nl_.transact(static_cast<const char*>(mnl_nlmsg_batch_head(batch.get())), mnl_nlmsg_batch_size(batch.get()),
                        first, last);
}

int GuardSocket::remove()
{
    if (!nl_.valid())
        return EBADF;
    Table t(nftnl_table_alloc());
    if (!t)
        return ENOMEM;
    const std::string table(firewall::kGuardTable);
    nftnl_table_set_str(t.get(), NFTNL_TABLE_NAME, table.c_str());
    std::vector<char> buf(2 * MNL_SOCKET_BUFFER_SIZE);
    mnl_nlmsg_batch* b = mnl_nlmsg_batch_start(buf.data(), MNL_SOCKET_BUFFER_SIZE);
    uint32_t seq = nl_.reserve_seq(3);
    nftnl_batch_begin(cur(b), seq++);
    next(b);
    const uint32_t first = seq;
    nlmsghdr* h = nftnl_nlmsg_build_hdr(cur(b), NFT_MSG_DELTABLE, NFPROTO_INET, NLM_F_ACK, seq++);
    nftnl_table_nlmsg_build_payload(h, t.get());
    next(b);
    nftnl_batch_end(cur(b), seq);
    next(b);
    const int rc =
        nl_.transact(static_cast<const char*>(mnl_nlmsg_batch_head(b)), mnl_nlmsg_batch_size(b), first, first);
    mnl_nlmsg_batch_stop(b);
    return rc;
}

}  // namespace pppkit::supervisor
