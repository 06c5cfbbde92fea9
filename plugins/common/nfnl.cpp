#include "common/nfnl.hpp"

#include <arpa/inet.h>
#include <libmnl/libmnl.h>
#include <libnftnl/set.h>
#include <linux/netfilter.h>
#include <linux/netfilter/nf_tables.h>
#include <linux/netfilter/nfnetlink.h>
#include <net/if.h>
#include <poll.h>
#include <sys/socket.h>

#include <cerrno>

#include "common/ifname.hpp"
#include "common/nft.hpp"

namespace pppkit::nfnl {
namespace {

// A value as the kernel holds it (nft's width and byte order) into out;
// false when it is not what its type holds. monostate: "".
bool bytes(const Value& v, std::string& out)
{
    out.clear();
    if (const auto* i = std::get_if<Ifname>(&v)) {
        if (!ifname::valid_name(i->name))
            return false;
        out = i->name;
        out.resize(IFNAMSIZ, '\0');
    } else if (const auto* a = std::get_if<Ipv4>(&v)) {
        in_addr in{};
        if (::inet_pton(AF_INET, a->addr.c_str(), &in) != 1)
            return false;
        out.assign(reinterpret_cast<const char*>(&in), sizeof in);
    } else if (const auto* n = std::get_if<uint16_t>(&v)) {
        uint16_t be = htons(*n);
        out.assign(reinterpret_cast<const char*>(&be), sizeof be);
    }
    return true;
}

struct SetFree {
    void operator()(nftnl_set* s) const { nftnl_set_free(s); }
};
struct BatchStop {
    void operator()(mnl_nlmsg_batch* b) const { mnl_nlmsg_batch_stop(b); }
};

// What the kernel answered to one batch: one NLMSG_ERROR (error 0: an ACK)
// per change, with the change's sequence number.
struct Answers {
    uint32_t first = 0, last = 0;
    size_t answered = 0;
    int first_error = 0;
};

int on_error(const nlmsghdr* h, void* data)
{
    auto* a = static_cast<Answers*>(data);
    if (h->nlmsg_seq < a->first || h->nlmsg_seq > a->last)
        return MNL_CB_OK;  // an answer to an earlier batch
    if (mnl_nlmsg_get_payload_len(h) < sizeof(nlmsgerr)) {
        errno = EBADMSG;
        return MNL_CB_ERROR;
    }
    const auto* e = static_cast<const nlmsgerr*>(mnl_nlmsg_get_payload(h));
    ++a->answered;
    if (e->error != 0 && a->first_error == 0)
        a->first_error = -e->error;
    return MNL_CB_OK;
}

std::string text(const Value& v)
{
    if (const auto* i = std::get_if<Ifname>(&v))
        return nft::quote(i->name);
    if (const auto* a = std::get_if<Ipv4>(&v))
        return a->addr;
    if (const auto* n = std::get_if<uint16_t>(&v))
        return std::to_string(*n);
    return {};
}

}  // namespace

std::string nft_text(std::string_view table, const std::vector<Change>& changes)
{
    std::string out;
    for (const auto& c : changes) {
        const std::string where = "inet " + std::string(table) + " " + c.set;
        if (c.op == Op::Flush) {
            out += "flush set " + where + "\n";
            continue;
        }
        out += (c.op == Op::Add ? "add element " : "delete element ") + where + " { " + text(c.key);
        if (!std::holds_alternative<std::monostate>(c.data))
            out += " : " + text(c.data);
        out += " }\n";
    }
    return out;
}

void Socket::Close::operator()(mnl_socket* s) const { mnl_socket_close(s); }

Socket::Socket() : nl_(mnl_socket_open2(NETLINK_NETFILTER, SOCK_CLOEXEC))
{
    if (!nl_)
        return;
    if (mnl_socket_bind(nl_.get(), 0, MNL_SOCKET_AUTOPID) < 0) {
        nl_.reset();
        return;
    }
    int on = 1;  // errors without a copy of the refused message
    mnl_socket_setsockopt(nl_.get(), NETLINK_CAP_ACK, &on, sizeof on);
}

Socket::~Socket() = default;

int Socket::commit(std::string_view table, const std::vector<Change>& changes)
{
    if (!nl_)
        return EBADF;
    if (changes.empty())
        return 0;
    // A message per change; table and set names are pppkit's own (short),
    // keys and values at most 16 bytes. The library wants twice the limit.
    const size_t limit = (changes.size() + 2) * 1024;
    std::vector<char> out(2 * limit);
    std::unique_ptr<mnl_nlmsg_batch, BatchStop> batch(mnl_nlmsg_batch_start(out.data(), limit));
    if (!batch)
        return ENOMEM;
    const std::string tbl(table);
    uint32_t seq = seq_;
    nftnl_batch_begin(static_cast<char*>(mnl_nlmsg_batch_current(batch.get())), seq++);
    mnl_nlmsg_batch_next(batch.get());
    const uint32_t first = seq;
    for (const auto& c : changes) {
        // A key that is no interface name would be cut or padded into another
        // one: refuse the whole batch before anything is sent.
        std::string key, data;
        if (!bytes(c.key, key) || !bytes(c.data, data) || (c.op == Op::Flush) != key.empty())
            return EINVAL;
        std::unique_ptr<nftnl_set, SetFree> set(nftnl_set_alloc());
        if (!set)
            return ENOMEM;
        nftnl_set_set_str(set.get(), NFTNL_SET_TABLE, tbl.c_str());
        nftnl_set_set_str(set.get(), NFTNL_SET_NAME, c.set.c_str());
        if (c.op != Op::Flush) {
            nftnl_set_elem* e = nftnl_set_elem_alloc();
            if (e == nullptr)
                return ENOMEM;
            nftnl_set_elem_set(e, NFTNL_SET_ELEM_KEY, key.data(), static_cast<uint32_t>(key.size()));
            if (c.op == Op::Add && !data.empty())
                nftnl_set_elem_set(e, NFTNL_SET_ELEM_DATA, data.data(), static_cast<uint32_t>(data.size()));
            nftnl_set_elem_add(set.get(), e);  // the set owns it now
        }
        uint16_t type = c.op == Op::Add ? NFT_MSG_NEWSETELEM : NFT_MSG_DELSETELEM;
        uint16_t flags = NLM_F_ACK | (c.op == Op::Add ? NLM_F_CREATE : 0);
        nlmsghdr* h = nftnl_nlmsg_build_hdr(static_cast<char*>(mnl_nlmsg_batch_current(batch.get())), type,
                                            NFPROTO_INET, flags, seq++);
        nftnl_set_elems_nlmsg_build_payload(h, set.get());
        if (!mnl_nlmsg_batch_next(batch.get()))
            return E2BIG;
    }
    nftnl_batch_end(static_cast<char*>(mnl_nlmsg_batch_current(batch.get())), seq++);
    mnl_nlmsg_batch_next(batch.get());
    seq_ = seq;

    return transact(mnl_nlmsg_batch_head(batch.get()), mnl_nlmsg_batch_size(batch.get()), first,
                    first + static_cast<uint32_t>(changes.size()) - 1);
}

uint32_t Socket::reserve_seq(uint32_t n)
{
    const uint32_t first = seq_;
    seq_ += n;
    return first;
}

int Socket::transact(const void* out, size_t len, uint32_t first, uint32_t last)
{
    if (!nl_)
        return EBADF;
    Answers answers{first, last, 0, 0};
    const int fd = mnl_socket_get_fd(nl_.get());
    alignas(nlmsghdr) char buf[8192];
    // answers to an earlier batch that was not read to the end
    while (::recv(fd, buf, sizeof buf, MSG_DONTWAIT) > 0) {
    }
    if (mnl_socket_sendto(nl_.get(), out, len) < 0)
        return errno;
    // The kernel handles the whole batch inside sendto() (netlink to the
    // kernel is synchronous), so every answer is queued by now: read them
    // without waiting (one recv per answer, no poll before each). The short
    // poll only bounds the wait should that ever not hold.
    mnl_cb_t ctl[NLMSG_MIN_TYPE] = {};
    ctl[NLMSG_ERROR] = on_error;
    const unsigned portid = mnl_socket_get_portid(nl_.get());
    while (answers.answered < size_t{last - first} + 1) {
        ssize_t n = ::recv(fd, buf, sizeof buf, MSG_DONTWAIT);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0 && errno == EAGAIN) {
            pollfd p{fd, POLLIN, 0};
            int ready = ::poll(&p, 1, answers.first_error != 0 ? 0 : 100);
            if (ready < 0 && errno == EINTR)
                continue;
            if (ready <= 0)
                return answers.first_error != 0 ? answers.first_error : ETIMEDOUT;
            continue;
        }
        if (n <= 0)
            return answers.first_error != 0 ? answers.first_error : (n < 0 ? errno : EIO);
        if (mnl_cb_run2(buf, static_cast<size_t>(n), 0, portid, nullptr, &answers, ctl, NLMSG_MIN_TYPE) < 0)
            return answers.first_error != 0 ? answers.first_error : errno;
    }
    return answers.first_error;
}

std::optional<uint32_t> Socket::generation()
{
    if (!nl_)
        return std::nullopt;
    return nfnl::generation(nl_.get(), reserve_seq(1));
}

std::optional<uint32_t> generation(mnl_socket* nl, uint32_t seq)
{
    if (nl == nullptr)
        return std::nullopt;
    alignas(nlmsghdr) char buf[8192];
    nlmsghdr* nlh = mnl_nlmsg_put_header(buf);
    nlh->nlmsg_type = (NFNL_SUBSYS_NFTABLES << 8) | NFT_MSG_GETGEN;
    nlh->nlmsg_flags = NLM_F_REQUEST;
    nlh->nlmsg_seq = seq;
    auto* g = static_cast<nfgenmsg*>(mnl_nlmsg_put_extra_header(nlh, sizeof(nfgenmsg)));
    g->nfgen_family = AF_UNSPEC;
    g->version = NFNETLINK_V0;
    g->res_id = 0;
    if (mnl_socket_sendto(nl, nlh, nlh->nlmsg_len) < 0)
        return std::nullopt;
    const int fd = mnl_socket_get_fd(nl);
    const unsigned portid = mnl_socket_get_portid(nl);
    // the kernel answers inside sendto(); the poll only bounds the wait
    for (int reads = 0; reads < 16; ++reads) {
        const ssize_t n = ::recv(fd, buf, sizeof buf, MSG_DONTWAIT);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0 && errno == EAGAIN) {
            pollfd p{fd, POLLIN, 0};
            if (::poll(&p, 1, 100) <= 0)
                return std::nullopt;
            continue;
        }
        if (n <= 0)
            return std::nullopt;
        std::optional<uint32_t> gen;
        const int rc = mnl_cb_run(
            buf, static_cast<size_t>(n), seq, portid,
            [](const nlmsghdr* m, void* data) {
                return mnl_attr_parse(
                    m, sizeof(nfgenmsg),
                    [](const nlattr* a, void* out) {
                        if (mnl_attr_get_type(a) == NFTA_GEN_ID && mnl_attr_validate(a, MNL_TYPE_U32) >= 0)
                            *static_cast<std::optional<uint32_t>*>(out) = ntohl(mnl_attr_get_u32(a));
                        return static_cast<int>(MNL_CB_OK);
                    },
                    data);
            },
            &gen);
        if (gen)
            return gen;
        if (rc == MNL_CB_ERROR && errno != ESRCH)
            return std::nullopt;  // ESRCH: an answer to an older request
    }
    return std::nullopt;
}

}  // namespace pppkit::nfnl
