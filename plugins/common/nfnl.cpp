#include "common/nfnl.hpp"

#include <arpa/inet.h>
#include <linux/netfilter.h>
#include <linux/netfilter/nf_tables.h>
#include <linux/netfilter/nfnetlink.h>
#include <linux/netlink.h>
#include <net/if.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "common/ifname.hpp"

namespace pppkit::nfnl {
namespace {

// Appends to a netlink message under construction; nested attributes are
// closed by writing their final length back.
class Writer {
public:
    explicit Writer(std::vector<uint8_t>& out) : out_(out) {}

    size_t begin_msg(uint16_t type, uint16_t flags, uint32_t seq, uint8_t family, uint16_t res_id)
    {
        size_t at = out_.size();
        nlmsghdr h{};
        h.nlmsg_type = type;
        h.nlmsg_flags = flags;
        h.nlmsg_seq = seq;
        put(&h, sizeof h);
        nfgenmsg g{};
        g.nfgen_family = family;
        g.version = NFNETLINK_V0;
        g.res_id = htons(res_id);
        put(&g, sizeof g);
        return at;
    }
    void end_msg(size_t at) { set_len32(at, out_.size() - at); }

    void attr(uint16_t type, const void* data, size_t len)
    {
        nlattr a{};
        a.nla_len = static_cast<uint16_t>(NLA_HDRLEN + len);
        a.nla_type = type;
        put(&a, sizeof a);
        put(data, len);
        pad();
    }
    void attr_str(uint16_t type, std::string_view s)
    {
        std::string z(s);  // with its NUL
        attr(type, z.c_str(), z.size() + 1);
    }
    size_t begin_nest(uint16_t type)
    {
        size_t at = out_.size();
        nlattr a{};
        a.nla_type = type | NLA_F_NESTED;
        put(&a, sizeof a);
        return at;
    }
    void end_nest(size_t at)
    {
        auto len = static_cast<uint16_t>(out_.size() - at);
        std::memcpy(out_.data() + at, &len, sizeof len);
    }

private:
    void put(const void* p, size_t n)
    {
        const auto* b = static_cast<const uint8_t*>(p);
        out_.insert(out_.end(), b, b + n);
    }
    void pad() { out_.resize(NLMSG_ALIGN(out_.size()), 0); }
    void set_len32(size_t at, size_t len)
    {
        auto l = static_cast<uint32_t>(len);
        std::memcpy(out_.data() + at, &l, sizeof l);
    }
    std::vector<uint8_t>& out_;
};

}  // namespace

std::vector<uint8_t> encode_batch(std::string_view table, const std::vector<Change>& changes, uint32_t seq)
{
    std::vector<uint8_t> out;
    Writer w(out);
    w.end_msg(w.begin_msg(NFNL_MSG_BATCH_BEGIN, NLM_F_REQUEST, seq, AF_UNSPEC, NFNL_SUBSYS_NFTABLES));
    for (const auto& c : changes) {
        ++seq;
        uint16_t type = (NFNL_SUBSYS_NFTABLES << 8) | (c.add ? NFT_MSG_NEWSETELEM : NFT_MSG_DELSETELEM);
        uint16_t flags = NLM_F_REQUEST | NLM_F_ACK | (c.add ? NLM_F_CREATE : 0);
        size_t msg = w.begin_msg(type, flags, seq, NFPROTO_INET, 0);
        w.attr_str(NFTA_SET_ELEM_LIST_TABLE, table);
        w.attr_str(NFTA_SET_ELEM_LIST_SET, c.set);
        size_t list = w.begin_nest(NFTA_SET_ELEM_LIST_ELEMENTS);
        size_t elem = w.begin_nest(NFTA_LIST_ELEM);
        // nft's ifname type: IFNAMSIZ bytes, NUL-padded
        std::string key = c.key.substr(0, IFNAMSIZ - 1);
        key.resize(IFNAMSIZ, '\0');
        size_t k = w.begin_nest(NFTA_SET_ELEM_KEY);
        w.attr(NFTA_DATA_VALUE, key.data(), key.size());
        w.end_nest(k);
        if (c.add && c.value) {
            uint16_t be = htons(*c.value);
            size_t d = w.begin_nest(NFTA_SET_ELEM_DATA);
            w.attr(NFTA_DATA_VALUE, &be, sizeof be);
            w.end_nest(d);
        }
        w.end_nest(elem);
        w.end_nest(list);
        w.end_msg(msg);
    }
    w.end_msg(w.begin_msg(NFNL_MSG_BATCH_END, NLM_F_REQUEST, seq + 1, AF_UNSPEC, NFNL_SUBSYS_NFTABLES));
    return out;
}

Socket::Socket() : fd_(::socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_NETFILTER))
{
    if (fd_ < 0)
        return;
    sockaddr_nl local{};
    local.nl_family = AF_NETLINK;
    if (::bind(fd_, reinterpret_cast<sockaddr*>(&local), sizeof local) != 0) {
        ::close(fd_);
        fd_ = -1;
    }
}

Socket::~Socket()
{
    if (fd_ >= 0)
        ::close(fd_);
}

int Socket::commit(std::string_view table, const std::vector<Change>& changes)
{
    if (fd_ < 0)
        return EBADF;
    if (changes.empty())
        return 0;
    // A key that is no interface name would be cut or padded into another
    // one: refuse the whole batch before anything is sent.
    for (const auto& c : changes)
        if (!ifname::valid_name(c.key))
            return EINVAL;
    uint8_t buf[8192];
    // answers to an earlier batch that was not read to the end
    while (::recv(fd_, buf, sizeof buf, MSG_DONTWAIT) > 0) {
    }
    const uint32_t first = seq_ + 1, last = seq_ + static_cast<uint32_t>(changes.size());
    auto batch = encode_batch(table, changes, seq_);
    seq_ += static_cast<uint32_t>(changes.size()) + 2;
    sockaddr_nl kernel{};
    kernel.nl_family = AF_NETLINK;
    if (::sendto(fd_, batch.data(), batch.size(), 0, reinterpret_cast<sockaddr*>(&kernel), sizeof kernel) < 0)
        return errno;
    // The kernel handles the whole batch inside sendto() (netlink to the
    // kernel is synchronous), so every answer is queued by now. The short
    // poll only bounds the wait should that ever not hold.
    size_t answered = 0;
    int first_error = 0;
    bool waited = false;
    while (answered < changes.size()) {
        ssize_t n = ::recv(fd_, buf, sizeof buf, MSG_DONTWAIT);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0 && errno == EAGAIN) {
            if (first_error != 0)
                return first_error;
            pollfd p{fd_, POLLIN, 0};
            if (waited || ::poll(&p, 1, 100) <= 0)
                return ETIMEDOUT;
            waited = true;
            continue;
        }
        if (n <= 0)
            return first_error != 0 ? first_error : (n < 0 ? errno : EIO);
        int len = static_cast<int>(n);
        for (auto* h = reinterpret_cast<nlmsghdr*>(buf); NLMSG_OK(h, len); h = NLMSG_NEXT(h, len)) {
            if (h->nlmsg_type != NLMSG_ERROR || h->nlmsg_seq < first || h->nlmsg_seq > last)
                continue;
            const auto* e = static_cast<const nlmsgerr*>(NLMSG_DATA(h));
            ++answered;
            if (e->error != 0 && first_error == 0)
                first_error = -e->error;
        }
    }
    return first_error;
}

}  // namespace pppkit::nfnl
