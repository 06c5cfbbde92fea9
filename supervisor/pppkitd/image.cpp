#include "pppkitd/image.hpp"

#include <libmnl/libmnl.h>
#include <libnftnl/batch.h>
#include <libnftnl/chain.h>
#include <libnftnl/common.h>
#include <libnftnl/expr.h>
#include <libnftnl/rule.h>
#include <libnftnl/set.h>
#include <libnftnl/table.h>
#include <linux/netfilter.h>
#include <linux/netfilter/nf_tables.h>
#include <linux/netfilter/nfnetlink.h>
#include <poll.h>
#include <sys/socket.h>

#include <cerrno>
#include <functional>
#include <memory>
#include <string_view>

#include "pppkitd/nftnl_owned.hpp"

namespace pppkit::supervisor {
namespace {

using nftnl::Chain;
using nftnl::Rule;
using nftnl::Set;
using nftnl::Table;
struct IterFree {
    void operator()(nftnl_set_elems_iter* i) const { nftnl_set_elems_iter_destroy(i); }
};

// One message as the kernel could ever send it in a dump (a set's elements
// are cut at 64 KiB of attributes), with room for its headers.
constexpr size_t kScratch = size_t{2} * 65536;
constexpr int kDumpWaitMs = 1000;

struct Dump {
    uint32_t seq;
    const std::function<bool(const nlmsghdr*)>& each;  // false: the answer is not what was asked
    bool bad = false;
};

// Sends the dump request req on nl and calls each() for every answer until
// NLMSG_DONE. 0, or an errno: the kernel's refusal (ENOENT: no such table
// or set), EINTR (NLM_F_DUMP_INTR: the ruleset changed during the dump),
// ETIMEDOUT, EBADMSG (an answer each() could not read).
int dump(mnl_socket* nl, std::vector<char>& buf, uint32_t seq, const nlmsghdr* req,
         const std::function<bool(const nlmsghdr*)>& each)
{
    const int fd = mnl_socket_get_fd(nl);
    while (::recv(fd, buf.data(), buf.size(), MSG_DONTWAIT) > 0) {  // answers to an earlier request
    }
    if (mnl_socket_sendto(nl, req, req->nlmsg_len) < 0)
        return errno;
    const unsigned portid = mnl_socket_get_portid(nl);
    Dump d{seq, each};
    for (;;) {
        pollfd p{fd, POLLIN, 0};
        const int ready = ::poll(&p, 1, kDumpWaitMs);
        if (ready < 0 && errno == EINTR)
            continue;
        if (ready <= 0)
            return ready == 0 ? ETIMEDOUT : errno;
        const ssize_t n = ::recv(fd, buf.data(), buf.size(), 0);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            return n < 0 ? errno : EIO;
        const int rc = mnl_cb_run(
            buf.data(), static_cast<size_t>(n), seq, portid,
            [](const nlmsghdr* h, void* data) {
                auto* dd = static_cast<Dump*>(data);
                if (!dd->each(h)) {
                    dd->bad = true;
                    return static_cast<int>(MNL_CB_ERROR);
                }
                return static_cast<int>(MNL_CB_OK);
            },
            &d);
        if (d.bad)
            return EBADMSG;
        if (rc == MNL_CB_STOP)
            return 0;
        if (rc < 0)
            return errno != 0 ? errno : EIO;
    }
}

// A request header for a GET of kind type (NLM_F_DUMP unless `one`).
nlmsghdr* get(std::vector<char>& buf, uint16_t type, uint32_t seq, bool one = false)
{
    return nftnl_nlmsg_build_hdr(buf.data(), type, NFPROTO_INET, one ? NLM_F_ACK : NLM_F_DUMP, seq);
}

// Appends one message (built into scratch by fill) to out.
template <typename Fill>
void append(std::vector<char>& out, std::vector<char>& scratch, uint16_t type, uint16_t flags, Fill fill)
{
    nlmsghdr* h = nftnl_nlmsg_build_hdr(scratch.data(), type, NFPROTO_INET, flags | NLM_F_ACK, 0);
    fill(h);
    const char* b = scratch.data();
    out.insert(out.end(), b, b + NLMSG_ALIGN(h->nlmsg_len));
}

// What a dump carries that the kernel refuses back: an exthdr write (`tcp
// option maxseg size set ...`) is dumped with NFTA_EXTHDR_FLAGS (0), which
// its init refuses (EINVAL: nft_exthdr_tcp_set_init). The rule's
// expressions are put back in order, such a write rebuilt without it.
// false: out of memory (the rule is then incomplete: no image).
bool sendable(nftnl_rule* r)
{
    std::vector<nftnl_expr*> exprs;
    nftnl_expr_foreach(
        r,
        [](nftnl_expr* e, void* data) {
            static_cast<std::vector<nftnl_expr*>*>(data)->push_back(e);
            return 0;
        },
        &exprs);
    bool ok = true;
    for (auto*& e : exprs) {
        nftnl_rule_del_expr(e);
        if (std::string_view(nftnl_expr_get_str(e, NFTNL_EXPR_NAME)) != "exthdr" ||
            !nftnl_expr_is_set(e, NFTNL_EXPR_EXTHDR_SREG) || !nftnl_expr_is_set(e, NFTNL_EXPR_EXTHDR_FLAGS))
            continue;
        nftnl_expr* w = nftnl_expr_alloc("exthdr");
        ok = ok && w != nullptr;
        for (uint16_t a : {NFTNL_EXPR_EXTHDR_SREG, NFTNL_EXPR_EXTHDR_TYPE, NFTNL_EXPR_EXTHDR_OFFSET,
                           NFTNL_EXPR_EXTHDR_LEN, NFTNL_EXPR_EXTHDR_OP}) {
            uint32_t len = 0;
            const void* v = w != nullptr && nftnl_expr_is_set(e, a) ? nftnl_expr_get(e, a, &len) : nullptr;
            if (v != nullptr)
                nftnl_expr_set(w, a, v, len);
        }
        nftnl_expr_free(e);
        e = w;
    }
    for (auto* e : exprs)
        if (e != nullptr)
            nftnl_rule_add_expr(r, e);
    return ok;
}

}  // namespace

TableImage::Taken TableImage::take()
{
    clear();
    mnl_socket* nl = nl_.raw();
    if (nl == nullptr)
        return Taken::Failed;
    std::vector<char> req(MNL_SOCKET_BUFFER_SIZE), buf(kScratch);  // a request; the answers
    const char* name = table_.c_str();

    // the table: whether it is there, its flags and comment
    Table table(nftnl_table_alloc());
    if (!table)
        return Taken::Failed;
    nftnl_table_set_str(table.get(), NFTNL_TABLE_NAME, name);
    uint32_t seq = nl_.reserve_seq(1);
    nlmsghdr* h = get(req, NFT_MSG_GETTABLE, seq, true);
    nftnl_table_nlmsg_build_payload(h, table.get());
    bool got = false;
    int err =
        dump(nl, buf, seq, h, [&](const nlmsghdr* m) { return got = nftnl_table_nlmsg_parse(m, table.get()) >= 0; });
    if (err == ENOENT)
        return Taken::Missing;
    if (err != 0 || !got)
        return Taken::Failed;

    std::vector<Chain> chains;
    seq = nl_.reserve_seq(1);
    h = get(req, NFT_MSG_GETCHAIN, seq);
    err = dump(nl, buf, seq, h, [&](const nlmsghdr* m) {
        Chain c(nftnl_chain_alloc());
        if (!c || nftnl_chain_nlmsg_parse(m, c.get()) < 0)
            return false;
        if (table_ == nftnl_chain_get_str(c.get(), NFTNL_CHAIN_TABLE))
            chains.push_back(std::move(c));
        return true;
    });
    if (err != 0)
        return Taken::Failed;

    std::vector<Set> sets;
    Set filter(nftnl_set_alloc());
    if (!filter)
        return Taken::Failed;
    nftnl_set_set_str(filter.get(), NFTNL_SET_TABLE, name);
    seq = nl_.reserve_seq(1);
    h = get(req, NFT_MSG_GETSET, seq);
    nftnl_set_nlmsg_build_payload(h, filter.get());
    err = dump(nl, buf, seq, h, [&](const nlmsghdr* m) {
        Set s(nftnl_set_alloc());
        if (!s || nftnl_set_nlmsg_parse(m, s.get()) < 0)
            return false;
        if (table_ == nftnl_set_get_str(s.get(), NFTNL_SET_TABLE))
            sets.push_back(std::move(s));
        return true;
    });
    if (err != 0)
        return Taken::Failed;
    // stateful objects and flowtables: not in the image (the full repair puts them back)
    for (uint16_t type : {uint16_t{NFT_MSG_GETOBJ}, uint16_t{NFT_MSG_GETFLOWTABLE}}) {
        bool theirs = false;
        seq = nl_.reserve_seq(1);
        h = get(req, type, seq);
        err = dump(nl, buf, seq, h, [&](const nlmsghdr* m) {
            // the table's name is attribute 1 of both (NFTA_OBJ_TABLE, NFTA_FLOWTABLE_TABLE)
            const nlattr* t = nullptr;
            mnl_attr_parse(
                m, sizeof(nfgenmsg),
                [](const nlattr* a, void* data) {
                    if (mnl_attr_get_type(a) == 1 && mnl_attr_validate(a, MNL_TYPE_NUL_STRING) >= 0)
                        *static_cast<const nlattr**>(data) = a;
                    return static_cast<int>(MNL_CB_OK);
                },
                &t);
            theirs = theirs || (t != nullptr && table_ == mnl_attr_get_str(t));
            return true;
        });
        if (err != 0)
            return Taken::Failed;
        if (theirs)
            return Taken::Unsupported;
    }
    for (auto& s : sets) {
        seq = nl_.reserve_seq(1);
        h = get(req, NFT_MSG_GETSETELEM, seq);
        nftnl_set_elems_nlmsg_build_payload(h, s.get());  // the set's table and name; no elements yet
        err = dump(nl, buf, seq, h, [&](const nlmsghdr* m) { return nftnl_set_elems_nlmsg_parse(m, s.get()) >= 0; });
        if (err != 0)
            return Taken::Failed;
    }

    std::vector<Rule> rules;
    Rule rf(nftnl_rule_alloc());
    if (!rf)
        return Taken::Failed;
    nftnl_rule_set_str(rf.get(), NFTNL_RULE_TABLE, name);
    seq = nl_.reserve_seq(1);
    h = get(req, NFT_MSG_GETRULE, seq);
    nftnl_rule_nlmsg_build_payload(h, rf.get());
    err = dump(nl, buf, seq, h, [&](const nlmsghdr* m) {
        Rule r(nftnl_rule_alloc());
        if (!r || nftnl_rule_nlmsg_parse(m, r.get()) < 0)
            return false;
        if (table_ == nftnl_rule_get_str(r.get(), NFTNL_RULE_TABLE))
            rules.push_back(std::move(r));
        return true;
    });
    if (err != 0)
        return Taken::Failed;

    // The batch: what `nft -f` of the table's listing would send. Handles,
    // use counts and the chains' counters are the kernel's, not sent back.
    std::vector<char> out, &scratch = buf;
    uint32_t n = 0;
    nftnl_table_unset(table.get(), NFTNL_TABLE_HANDLE);
    nftnl_table_unset(table.get(), NFTNL_TABLE_USE);
    nftnl_table_unset(table.get(), NFTNL_TABLE_OWNER);
    if (nftnl_table_is_set(table.get(), NFTNL_TABLE_FLAGS))
        nftnl_table_set_u32(table.get(), NFTNL_TABLE_FLAGS,
                            nftnl_table_get_u32(table.get(), NFTNL_TABLE_FLAGS) & ~NFT_TABLE_F_OWNER);
    append(out, scratch, NFT_MSG_NEWTABLE, NLM_F_CREATE | NLM_F_EXCL,
           [&](nlmsghdr* m) { nftnl_table_nlmsg_build_payload(m, table.get()); });
    ++n;
    for (auto& c : chains) {
        for (uint16_t a : {NFTNL_CHAIN_HANDLE, NFTNL_CHAIN_USE, NFTNL_CHAIN_BYTES, NFTNL_CHAIN_PACKETS,
                           NFTNL_CHAIN_FLAGS, NFTNL_CHAIN_ID})
            nftnl_chain_unset(c.get(), a);
        append(out, scratch, NFT_MSG_NEWCHAIN, NLM_F_CREATE,
               [&](nlmsghdr* m) { nftnl_chain_nlmsg_build_payload(m, c.get()); });
        ++n;
    }
    uint32_t set_id = 0;
    for (auto& s : sets) {
        nftnl_set_unset(s.get(), NFTNL_SET_HANDLE);
        nftnl_set_set_u32(s.get(), NFTNL_SET_ID, ++set_id);  // NEWSET requires one (unique in the batch)
        append(out, scratch, NFT_MSG_NEWSET, NLM_F_CREATE,
               [&](nlmsghdr* m) { nftnl_set_nlmsg_build_payload(m, s.get()); });
        ++n;
        std::unique_ptr<nftnl_set_elems_iter, IterFree> it(nftnl_set_elems_iter_create(s.get()));
        if (!it)
            return Taken::Failed;
        for (bool more = nftnl_set_elems_iter_cur(it.get()) != nullptr; more;) {
            append(out, scratch, NFT_MSG_NEWSETELEM, NLM_F_CREATE,
                   [&](nlmsghdr* m) { more = nftnl_set_elems_nlmsg_build_payload_iter(m, it.get()) > 0; });
            ++n;
        }
    }
    for (auto& r : rules) {
        for (uint16_t a : {NFTNL_RULE_HANDLE, NFTNL_RULE_POSITION, NFTNL_RULE_ID, NFTNL_RULE_POSITION_ID})
            nftnl_rule_unset(r.get(), a);
        if (!sendable(r.get()))
            return Taken::Failed;
        append(out, scratch, NFT_MSG_NEWRULE, NLM_F_CREATE | NLM_F_APPEND,
               [&](nlmsghdr* m) { nftnl_rule_nlmsg_build_payload(m, r.get()); });
        ++n;
    }
    out.shrink_to_fit();
    batch_ = std::move(out);
    messages_ = n;
    return Taken::Ok;
}

int TableImage::put_back()
{
    if (!ready())
        return ENODATA;
    if (!nl_.valid())
        return EBADF;
    // BATCH_BEGIN, the image's messages numbered in order, BATCH_END
    const uint32_t begin = nl_.reserve_seq(messages_ + 2);
    std::vector<char> out(batch_.size() + 2 * NLMSG_ALIGN(sizeof(nlmsghdr) + sizeof(nfgenmsg)));
    nftnl_batch_begin(out.data(), begin);
    size_t at = NLMSG_ALIGN(reinterpret_cast<nlmsghdr*>(out.data())->nlmsg_len);
    std::copy(batch_.begin(), batch_.end(), out.begin() + static_cast<std::ptrdiff_t>(at));
    uint32_t seq = begin + 1;
    for (size_t off = at; off < at + batch_.size();) {
        auto* m = reinterpret_cast<nlmsghdr*>(out.data() + off);
        m->nlmsg_seq = seq++;
        off += NLMSG_ALIGN(m->nlmsg_len);
    }
    at += batch_.size();
    nftnl_batch_end(out.data() + at, seq);
    at += NLMSG_ALIGN(reinterpret_cast<nlmsghdr*>(out.data() + at)->nlmsg_len);
    return nl_.transact(out.data(), at, begin + 1, seq - 1);
}

}  // namespace pppkit::supervisor
