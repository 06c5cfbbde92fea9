// nftnl_owned.hpp - libnftnl objects owned by a std::unique_ptr that frees
// them with their library's own free function (guard.cpp, image.cpp).
#pragma once

#include <libnftnl/chain.h>
#include <libnftnl/rule.h>
#include <libnftnl/set.h>
#include <libnftnl/table.h>
#include <libnftnl/udata.h>

#include <memory>

namespace pppkit::supervisor::nftnl {

template <typename T, void (*F)(const T*)>
struct Free {
    void operator()(T* p) const { F(p); }
};
template <typename T, void (*F)(const T*)>
using Owned = std::unique_ptr<T, Free<T, F>>;
using Table = Owned<nftnl_table, nftnl_table_free>;
using Chain = Owned<nftnl_chain, nftnl_chain_free>;
using Rule = Owned<nftnl_rule, nftnl_rule_free>;
using Set = Owned<nftnl_set, nftnl_set_free>;
using Udata = Owned<nftnl_udata_buf, nftnl_udata_buf_free>;

}  // namespace pppkit::supervisor::nftnl
